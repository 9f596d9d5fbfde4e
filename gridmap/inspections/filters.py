"""The filters of the inspection lists (tasks, hazards, reports, documents), one FilterSet
each, applied on top of the scope-limited selectors (gridmap.inspections.selectors): the
pages, their exports and the API can share them."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q, QuerySet

from gridmap.enterprises.risk import SHORT_LABELS
from gridmap.grids.filters import ALL, ScopedFilterSet, date_filter

from .models import (
    OPEN_HAZARD_STATUSES,
    OPEN_TASK_STATUSES,
    EnforcementDocument,
    Hazard,
    HazardSource,
    HazardStatus,
    Report,
    TaskStatus,
)

OPEN = "open"
RISK_CHOICES = [*SHORT_LABELS.items(), ("none", "未评估")]
DUE_SORTS = {"due": (("due_date",), "期限由近到远"), "-due": (("-due_date",), "期限由远到近")}


def _status_filter(choices, open_statuses) -> df.ChoiceFilter:
    def by_status(queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(status__in=open_statuses) if value == OPEN else queryset.filter(status=value)

    return df.ChoiceFilter(label="状态", choices=[(OPEN, "未办结"), *choices], method=by_status, empty_label=ALL)


def _risk_filter(path: str = "enterprise__risk_level") -> df.ChoiceFilter:
    def by_risk(queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(**{path: "" if value == "none" else value})

    return df.ChoiceFilter(label="风险等级", choices=RISK_CHOICES, method=by_risk, empty_label=ALL)


class _AssigneeFilterSet(ScopedFilterSet):
    """Lists of work given to people: the assignees offered are those of the rows in scope."""

    assignee = df.ChoiceFilter(label="承办人", field_name="assignee__username", empty_label=ALL)

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, user=user, **kwargs)
        people = (queryset.order_by().filter(assignee__isnull=False)
                  .values_list("assignee__username", "assignee__full_name").distinct())
        self.filters["assignee"].extra["choices"] = sorted((u, n or u) for u, n in people)


class TaskFilterSet(_AssigneeFilterSet):
    mine = df.ChoiceFilter(label="承办", choices=[("1", "我承办的")], method="only_mine", empty_label="范围内全部")
    status = _status_filter(TaskStatus.choices, OPEN_TASK_STATUSES)
    risk_level = _risk_filter()
    due_from = date_filter("期限自", "due_date", "gte")
    due_to = date_filter("期限至", "due_date", "lte")
    search_fields = ("enterprise__name", "enterprise__credit_code")
    sorts = DUE_SORTS

    def only_mine(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(assignee=self.user) if value == "1" else queryset


class HazardFilterSet(ScopedFilterSet):
    status = _status_filter(HazardStatus.choices, OPEN_HAZARD_STATUSES)
    level = df.ChoiceFilter(label="隐患等级", choices=Hazard.Level.choices, empty_label=ALL)
    source = df.ChoiceFilter(label="来源", choices=HazardSource.choices, empty_label=ALL)
    risk_level = _risk_filter()
    found_from = date_filter("发现自", "found_on", "gte")
    found_to = date_filter("发现至", "found_on", "lte")
    search_fields = ("enterprise__name", "description")
    sorts = {"due": (("due",), "期限由近到远"), "-due": (("-due",), "期限由远到近"),
             "-found": (("-found_on",), "发现日期由近到远")}


class ReportFilterSet(_AssigneeFilterSet):
    status = df.ChoiceFilter(label="状态", choices=Report.Status.choices, empty_label=ALL)
    source = df.ChoiceFilter(label="来源", choices=Report.Source.choices, empty_label=ALL)
    received_from = date_filter("受理自", "received_on", "gte")
    received_to = date_filter("受理至", "received_on", "lte")
    search_fields = ("description", "enterprise__name", "reporter_name")
    sorts = {"due": (("deadline",), "期限由近到远"), "-due": (("-deadline",), "期限由远到近")}


class DocumentFilterSet(ScopedFilterSet):
    kind = df.ChoiceFilter(label="种类", choices=EnforcementDocument.Kind.choices, empty_label=ALL)
    status = df.ChoiceFilter(label="状态", choices=EnforcementDocument.Status.choices, empty_label=ALL)
    risk_level = _risk_filter()
    issued_from = date_filter("文书日期自", "issued_on", "gte")
    issued_to = date_filter("文书日期至", "issued_on", "lte")
    year = df.NumberFilter(label="年度", method="in_year")
    search_fields = ("number", "enterprise__name")
    sorts = {"issued": (("issued_on",), "文书日期由远到近")}
    default_sort = "文书日期由近到远"

    def in_year(self, queryset: QuerySet, _name: str, value) -> QuerySet:
        """The year of the document date, or of its making while it is a draft."""
        year = int(value)
        return queryset.filter(Q(issued_on__year=year) | Q(issued_on__isnull=True, created_at__year=year))
