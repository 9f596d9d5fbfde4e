"""The filters of the enterprise list and its exports, applied on top of the scope-limited
selector `enterprises_for_user` (which annotates the register's completeness)."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.db.models import QuerySet

from gridmap.grids.filters import ALL, ScopedFilterSet

from .models import Enterprise
from .risk import SHORT_LABELS, risk_order
from .selectors import FILTERS


def _rule(name: str):
    """The selector's rule of a filter, so the API's filters and these say the same."""
    def apply(queryset: QuerySet, _name: str, value) -> QuerySet:
        text = str(value).strip()
        return queryset.filter(FILTERS[name](text)) if text else queryset

    return apply


class EnterpriseFilterSet(ScopedFilterSet):
    industry = df.CharFilter(label="行业代码", method=_rule("industry"),
                             widget=forms.TextInput(attrs={"size": 5, "pattern": r"\d{2,4}"}))
    risk_level = df.ChoiceFilter(label="风险等级", choices=[*SHORT_LABELS.items(), ("none", "未评估")],
                                 method=_rule("risk_level"), empty_label=ALL)
    supervision_class = df.ChoiceFilter(label="检查类别", choices=Enterprise.SupervisionClass.choices,
                                        empty_label=ALL)
    status = df.ChoiceFilter(label="状态", choices=Enterprise.Status.choices, empty_label=ALL)
    complete = df.ChoiceFilter(label="一企一册", choices=[("1", "完整"), ("0", "不完整")],
                               method=_rule("complete"), empty_label=ALL)
    search_fields = ("name", "credit_code")
    sorts = {"risk": ((risk_order(), "name"), "风险等级由高到低")}
    default_sort = "按名称"

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, user=user, **kwargs)
        self.filters["q"].label = "名称或信用代码"
