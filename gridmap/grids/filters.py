"""The filter bar every list shares (django-filter), applied on top of a scope-limited
selector: the grids, cells and people offered come from the user's scope, so a list, its
export and an API list that use the same FilterSet show the same rows."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.db.models import Q, QuerySet

from .models import Grid
from .scope import scope_for

ALL = "全部"


def date_filter(label: str, field: str, lookup: str) -> df.DateFilter:
    return df.DateFilter(field_name=field, lookup_expr=lookup, label=label,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ScopedFilterSet(df.FilterSet):
    """Level-I grid, cell and a search box; subclasses add their own filters. `search_fields`
    are matched by icontains, `sorts` maps a sort choice to its order_by fields."""

    grid = df.ChoiceFilter(label="一级网格", field_name="cell__parent__code", empty_label=ALL)
    cell = df.ChoiceFilter(label="二级网格", field_name="cell__code", empty_label=ALL)
    q = df.CharFilter(label="搜索", method="search", widget=forms.TextInput(attrs={"type": "search"}))
    sort = df.ChoiceFilter(label="排序", method="sort_by")
    search_fields: tuple[str, ...] = ()
    sorts: dict[str, tuple[tuple[str, ...], str]] = {}
    default_sort = "默认（逾期在前）"

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # Every code once (records may lie in cells of an earlier generation), named as last.
        grids = scope_for(user).grids().order_by("code", "-valid_from").distinct("code")
        self.filters["grid"].extra["choices"] = list(
            grids.filter(level=Grid.Level.LEVEL_1).values_list("code", "name"))
        cells = grids.filter(level__gte=Grid.Level.LEVEL_2)
        chosen_grid = (data or {}).get("grid")
        if chosen_grid:
            cells = cells.filter(parent__code=chosen_grid)
        self.filters["cell"].extra["choices"] = [(code, f"{name}（{code}）") for code, name in
                                                 cells.values_list("code", "name")]
        if self.sorts:
            self.filters["sort"].extra.update(
                choices=[(key, label) for key, (_fields, label) in self.sorts.items()], empty_label=self.default_sort)
        else:
            del self.filters["sort"]
        for last in ("q", "sort"):  # the search box and the order after the filters
            if last in self.filters:
                self.filters[last] = self.filters.pop(last)
        self.user = user

    def search(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        match = Q()
        for field in self.search_fields:
            match |= Q(**{f"{field}__icontains": text})
        return queryset.filter(match)

    def sort_by(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        fields, _label = self.sorts.get(value, ((), ""))
        return queryset.order_by(*fields, "id") if fields else queryset
