"""Reads, always through the one scope rule (gridmap.grids.scope)."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import GEOSGeometry
from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from gridmap.enterprises.models import Enterprise
from gridmap.enterprises.risk import RISK_ORDER, SHORT_LABELS, colour  # noqa: F401 (colour: for the API)
from gridmap.enterprises.selectors import enterprise_rule, own_enterprise_ids
from gridmap.grids.scope import scope_for

from .models import (
    OPEN_HAZARD_STATUSES,
    OPEN_TASK_STATUSES,
    AssignmentBatch,
    CreditListing,
    EnforcementDocument,
    EvidencePhoto,
    Exposure,
    Hazard,
    HazardSource,
    HazardStatus,
    Inspection,
    InspectionTask,
    Publication,
    Report,
    SelfInspection,
    Summons,
)


def _in_cells(user, path: str = "cell") -> Q:
    scope = scope_for(user)
    if scope.everything:
        return Q()
    return Q(**{f"{path}__in": scope.cells()})


def _label(field: str, labels: dict, default: str = "") -> Case:
    return Case(*[When(**{field: k}, then=Value(str(v))) for k, v in labels.items()],
                default=Value(default), output_field=CharField())


def _person(path: str):
    return Coalesce(NullIf(F(f"{path}__full_name"), Value("")), F(f"{path}__username"))


# --- enterprises in an area ------------------------------------------------------------------

AREA_FILTERS = {
    "risk_level": lambda v: Q(risk_level="" if v == "none" else v),
    "supervision_class": lambda v: Q(supervision_class=v),
    "industry": lambda v: Q(industry_code__startswith=v),
    "status": lambda v: Q(status=v),
}


def enterprises_in_area(user, *, polygon: GEOSGeometry | None = None, cells: list[str] | None = None,
                        filters: dict | None = None, not_inspected_since: dt.date | None = None,
                        on: dt.date | None = None) -> QuerySet[Enterprise]:
    """Enterprises inside a drawn polygon and/or selected cells, within the user's scope,
    with their last inspection and open task: one PostGIS query (ST_Covers on the GiST
    index of the locations)."""
    queryset = Enterprise.objects.filter(cell__isnull=False).filter(_in_cells(user))
    if polygon is not None:
        queryset = queryset.filter(location__coveredby=polygon)
    if cells:
        queryset = queryset.filter(cell__code__in=cells)
    for name, build in AREA_FILTERS.items():
        value = (filters or {}).get(name)
        if value not in (None, ""):
            queryset = queryset.filter(build(str(value)))
    inspections = Inspection.objects.filter(enterprise=OuterRef("pk"))
    if not_inspected_since is not None:
        queryset = queryset.filter(~Exists(inspections.filter(inspected_on__gte=not_inspected_since)))
    open_tasks = InspectionTask.objects.filter(enterprise=OuterRef("pk"), status__in=OPEN_TASK_STATUSES)
    return queryset.annotate(
        cell_code=F("cell__code"), cell_name=F("cell__name"),
        risk_level_name=_label("risk_level", SHORT_LABELS, "未评估"),
        last_inspected=Subquery(inspections.order_by("-inspected_on").values("inspected_on")[:1],
                                output_field=DateField()),
        open_task_due=Subquery(open_tasks.order_by("due_date").values("due_date")[:1], output_field=DateField()),
        open_task_assignee=Subquery(open_tasks.order_by("due_date").values("assignee__username")[:1]),
    ).order_by("cell__code", "name")


def officer_loads(user, *, cells=None) -> list[dict]:
    """Open tasks per assignee (people on duty in the user's scope), for balancing work."""
    from gridmap.grids.models import GridAssignment
    from gridmap.grids.scope import on_duty_on

    scope = scope_for(user)
    duties = GridAssignment.objects.filter(on_duty_on(timezone.localdate()), user__is_active=True)
    duties = duties if scope.everything else duties.filter(grid__in=scope.cells())
    if cells:
        duties = duties.filter(grid__code__in=cells)
    people = {}
    for row in duties.values("user_id", "user__username", "user__full_name", "grid__code", "grid__name"):
        person = people.setdefault(row["user_id"], {"username": row["user__username"],
                                                    "name": row["user__full_name"] or row["user__username"],
                                                    "cells": [], "open": 0, "overdue": 0})
        person["cells"].append(row["grid__name"])
    loads = (InspectionTask.objects.filter(assignee_id__in=people, status__in=OPEN_TASK_STATUSES)
             .values("assignee_id").annotate(n=Count("id"),
                                              late=Count("id", filter=Q(due_date__lt=timezone.localdate()))))
    for row in loads:
        people[row["assignee_id"]]["open"] = row["n"]
        people[row["assignee_id"]]["overdue"] = row["late"]
    return sorted(people.values(), key=lambda p: (-p["open"], p["username"]))


def batches_of_day(user, day: dt.date) -> QuerySet[AssignmentBatch]:
    """The assignment batches a user made on a day (the ones they may still withdraw)."""
    return AssignmentBatch.objects.filter(created_by_id=user.pk, created_at__date=day).order_by("-created_at")


# --- tasks -----------------------------------------------------------------------------------

def tasks_for_user(user, *, mine: bool = False, open_only: bool = False) -> QuerySet[InspectionTask]:
    queryset = InspectionTask.objects.filter(_in_cells(user))
    if mine:
        # A plan visit's task is the drawn pair's: the co-assignee's as much as the assignee's.
        queryset = queryset.filter(Q(assignee=user) | Q(co_assignee=user))
    if open_only:
        queryset = queryset.filter(status__in=OPEN_TASK_STATUSES)
    today = timezone.localdate()
    return queryset.select_related("enterprise", "cell", "assignee", "co_assignee").annotate(
        overdue=Case(When(status__in=OPEN_TASK_STATUSES, due_date__lt=today, then=Value(True)),
                     default=Value(False), output_field=BooleanField()),
    ).order_by("-overdue", "due_date", "id")


def task_in_scope(user, pk: int) -> InspectionTask | None:
    return tasks_for_user(user).filter(pk=pk).first()


def tasks_for_map(user) -> QuerySet[InspectionTask]:
    """Open tasks in scope at their enterprise's location, for the tasks layer."""
    today = timezone.localdate()
    return (InspectionTask.objects.filter(_in_cells(user), status__in=OPEN_TASK_STATUSES)
            .annotate(location=F("enterprise__location"), enterprise_name=F("enterprise__name"),
                      cell_code=F("cell__code"), assignee_name=_person("assignee"),
                      assignee_username=F("assignee__username"),
                      status_name=_label("status", dict(InspectionTask._meta.get_field("status").choices)),
                      due=Cast("due_date", CharField()),
                      overdue=Case(When(due_date__lt=today, then=Value("overdue")), default=Value("on_time"),
                                   output_field=CharField())))


# --- inspections and hazards -------------------------------------------------------------

def _own_hazards(user) -> Q | None:
    """An enterprise user's hazards: their enterprise's, except officers' leads the bureau has
    not confirmed (or dismissed); the leads of their own self-inspections included."""
    own = own_enterprise_ids(user)
    if not own:
        return None
    return Q(enterprise_id__in=own) & (~Q(status__in=(HazardStatus.LEAD, HazardStatus.DISMISSED))
                                       | Q(source=HazardSource.SELF_INSPECTION))


def _hazard_rule(user) -> Q:
    return _own_hazards(user) or _in_cells(user)


def inspections_for_user(user) -> QuerySet[Inspection]:
    rule = Q(enterprise_id__in=own_enterprise_ids(user)) if own_enterprise_ids(user) else _in_cells(user)
    return (Inspection.objects.filter(rule)
            .select_related("enterprise", "cell", "task").prefetch_related("inspectors"))


def self_inspections_for_user(user, *, enterprise: int | None = None) -> QuerySet[SelfInspection]:
    """Self-inspections of the enterprises the user sees (an enterprise user: their own)."""
    queryset = SelfInspection.objects.filter(enterprise_rule(user, "enterprise__"))
    if enterprise is not None:
        queryset = queryset.filter(enterprise_id=enterprise)
    return queryset.select_related("enterprise", "cell", "recorded_by").order_by("-checked_at", "-id")


def hazards_for_user(user, *, open_only: bool = False, enterprise=None) -> QuerySet[Hazard]:
    queryset = Hazard.objects.filter(_hazard_rule(user))
    if open_only:
        queryset = queryset.filter(status__in=OPEN_HAZARD_STATUSES)
    if enterprise is not None:
        queryset = queryset.filter(enterprise=enterprise)
    today = timezone.localdate()
    # Overdue is true or false, never NULL: sorted descending, NULL would come first.
    return queryset.select_related("enterprise", "cell").annotate(
        due=Coalesce("supervised_deadline", "deadline"),
    ).annotate(
        overdue=Case(When(status__in=(HazardStatus.FOUND, HazardStatus.RECTIFYING, HazardStatus.SUPERVISED),
                          due__lt=today, then=Value(True)),
                     default=Value(False), output_field=BooleanField()),
    ).order_by("-overdue", "due", "id")


# --- the inspection and hazard lists as exports ask for them (gridmap.jobs) ---------------------
# The same filter names as the lists: one function per kind applies them.

def _common_list_filters(enterprise: str = "enterprise") -> dict:
    return {
        "q": lambda v: Q(**{f"{enterprise}__name__icontains": v}) | Q(**{f"{enterprise}__credit_code__iexact": v}),
        "cell": lambda v: Q(cell__code=v),
        "grid": lambda v: Q(cell__parent__code=v) | Q(cell__code=v),
        "risk_level": lambda v: Q(**{f"{enterprise}__risk_level": "" if v == "none" else v}),
    }


INSPECTION_FILTERS = {
    **_common_list_filters(),
    "kind": lambda v: Q(kind=v),
    "assignee": lambda v: Q(Exists(Inspection.inspectors.through.objects.filter(
        inspection_id=OuterRef("pk"), user__username=v))),
    "found_from": lambda v: Q(inspected_on__gte=v),
    "found_to": lambda v: Q(inspected_on__lte=v),
}
HAZARD_FILTERS = {
    **_common_list_filters(),
    "status": lambda v: Q(status__in=OPEN_HAZARD_STATUSES) if v == "open" else Q(status=v),
    "level": lambda v: Q(level=v),
    "source": lambda v: Q(source=v),
    "enterprise": lambda v: Q(enterprise_id=int(v)) if v.isdigit() else Q(pk__in=[]),
    "due_from": lambda v: Q(due__gte=v),
    "due_to": lambda v: Q(due__lte=v),
    "found_from": lambda v: Q(found_on__gte=v),
    "found_to": lambda v: Q(found_on__lte=v),
}


def _filtered(queryset: QuerySet, filters: dict, table: dict) -> QuerySet:
    for name, build in table.items():
        value = filters.get(name)
        if value not in (None, ""):
            queryset = queryset.filter(build(str(value).strip()))
    return queryset


def _located_in_list(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(enterprise_name=F("enterprise__name"), credit_code=F("enterprise__credit_code"),
                             grid1_name=F("cell__parent__name"), cell_code=F("cell__code"),
                             cell_name=F("cell__name"))


def inspections_for_export(user, *, filters: dict) -> QuerySet[Inspection]:
    """The inspections the user sees, filtered like the list, with their export columns."""
    inspectors = (Inspection.inspectors.through.objects.filter(inspection_id=OuterRef("pk")).order_by()
                  .values("inspection_id").annotate(names=StringAgg(_person("user"), "、")).values("names"))
    hazards = (Hazard.objects.filter(inspection_id=OuterRef("pk")).order_by()
               .annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n"))
    queryset = _located_in_list(Inspection.objects.filter(_in_cells(user))).annotate(
        inspector_names=Subquery(inspectors, output_field=CharField()),
        hazard_count=Subquery(hazards, output_field=IntegerField()))
    return _filtered(queryset, filters, INSPECTION_FILTERS).order_by("id")


def hazards_for_export(user, *, filters: dict) -> QuerySet[Hazard]:
    """The hazards the user sees (hazards_for_user's due and overdue), filtered like the list."""
    queryset = _located_in_list(hazards_for_user(user).select_related(None))
    return _filtered(queryset, filters, HAZARD_FILTERS).order_by("id")


def first_hazards_for_user(user, n: int, *, open_only: bool = False) -> QuerySet[Hazard]:
    """The first n hazards of hazards_for_user's list (overdue first, then by due date).

    Picked by sorting the hazard table alone, then joined to their enterprise and cell: at
    a province's 150,000 open hazards, joining every row before the sort took most of a
    second."""
    hazards = hazards_for_user(user, open_only=open_only)
    return hazards.filter(pk__in=Subquery(hazards.values("pk")[:n]))


def hazard_page(user, *, filters, open_only: bool = False, offset: int = 0, limit: int = 100) -> QuerySet[Hazard]:
    """One page of the user's hazards (hazards_for_user's order), filtered like the list."""
    hazards = _filtered(hazards_for_user(user, open_only=open_only), filters, HAZARD_FILTERS)
    return hazards.filter(pk__in=Subquery(hazards.values("pk")[offset:offset + limit]))


def leads_for_user(user) -> QuerySet[Hazard]:
    """Leads (隐患线索) from grid officers' patrols awaiting the bureau's confirmation, oldest first."""
    return (Hazard.objects.filter(_in_cells(user), status=HazardStatus.LEAD).select_related("enterprise", "cell")
            .order_by("found_on", "id"))


def hazard_in_scope(user, pk: int) -> Hazard | None:
    return hazards_for_user(user).filter(pk=pk).prefetch_related("photos").first()


def open_hazards_for_map(user) -> QuerySet[Hazard]:
    today = timezone.localdate()
    return (Hazard.objects.filter(_in_cells(user), status__in=OPEN_HAZARD_STATUSES, location__isnull=False)
            .annotate(enterprise_name=F("enterprise__name"), cell_code=F("cell__code"),
                      level_name=_label("level", dict(Hazard.Level.choices)),
                      status_name=_label("status", dict(HazardStatus.choices)),
                      due=Cast(Coalesce("supervised_deadline", "deadline"), CharField()),
                      overdue=Case(When(Q(status__in=("found", "rectifying", "supervised"))
                                        & (Q(supervised_deadline__lt=today)
                                           | Q(supervised_deadline__isnull=True, deadline__lt=today)),
                                        then=Value("overdue")),
                                   default=Value("on_time"), output_field=CharField())))


def open_hazards_in_area(area, user) -> list[dict]:
    """Open hazards (not closed) lying in an area, at their own position or else at their
    enterprise's: what flood command sees with the impact of a flood there (composed in
    gridmap.workspaces.flood.impact). Overdue first."""
    today = timezone.localdate()
    hazards = (Hazard.objects.filter(_in_cells(user), status__in=OPEN_HAZARD_STATUSES)
               .annotate(position=Coalesce("location", "enterprise__location"))
               .filter(position__intersects=area)
               .annotate(due_on=Coalesce("supervised_deadline", "deadline"))
               .select_related("enterprise", "cell")
               .order_by("due_on", "id"))
    rows = []
    for hazard in hazards:
        overdue = hazard.status != HazardStatus.REINSPECTED and hazard.due_on < today
        rows.append({
            "id": hazard.pk, "enterprise": hazard.enterprise.name, "credit_code": hazard.enterprise.credit_code,
            "level": hazard.level, "level_name": hazard.get_level_display(),
            "status": hazard.status, "status_name": hazard.get_status_display(),
            "description": hazard.description[:200], "deadline": hazard.due_on.isoformat(), "overdue": overdue,
            "cell_code": hazard.cell.code, "cell_name": hazard.cell.name,
            "lon": hazard.position.x, "lat": hazard.position.y,
        })
    rows.sort(key=lambda row: (not row["overdue"], row["level"] != Hazard.Level.MAJOR, row["deadline"]))
    return rows


# --- enforcement, reports, photos ------------------------------------------------------------

def documents_for_user(user) -> QuerySet[EnforcementDocument]:
    return (EnforcementDocument.objects.filter(_in_cells(user))
            .select_related("enterprise", "cell", "legal_review__reviewer").prefetch_related("signers"))


def documents_filtered(user, *, kind: str | None = None, year: int | None = None,
                       status: str | None = None) -> QuerySet[EnforcementDocument]:
    """Documents in scope by kind, status and year (of the document date, or of its making
    while it is a draft)."""
    documents = documents_for_user(user)
    if kind:
        documents = documents.filter(kind=kind)
    if status:
        documents = documents.filter(status=status)
    if year:
        documents = documents.filter(Q(issued_on__year=year) | Q(issued_on__isnull=True, created_at__year=year))
    return documents.order_by(F("issued_on").desc(nulls_first=True), "-id")


def document_in_scope(user, pk: int) -> EnforcementDocument | None:
    return documents_for_user(user).filter(pk=pk).first()


def enterprises_visible(user) -> QuerySet[Enterprise]:
    """Enterprises placed in a cell the user may see."""
    return Enterprise.objects.filter(cell__isnull=False).filter(_in_cells(user))


def enterprise_named(user, ref: str | int) -> Enterprise:
    """The enterprise a page or the API names, by its number or its unified social credit
    code, if the user sees it; otherwise the one refusal both doors give (which does not
    tell whether the enterprise exists elsewhere)."""
    text = str(ref).strip()
    visible = enterprises_visible(user)
    enterprise = None
    if text.isdigit() and len(text) < 10:
        enterprise = visible.filter(pk=int(text)).first()
    elif text:
        enterprise = visible.filter(credit_code=text.upper()).first()
    if enterprise is None:
        raise ValidationError({"enterprise": "没有该企业（请填写企业编号或统一社会信用代码），或不在您的范围内"})
    return enterprise


def reports_for_user(user) -> QuerySet[Report]:
    today = timezone.localdate()
    return (Report.objects.filter(_in_cells(user)).select_related("cell", "assignee", "enterprise")
            .annotate(overdue=Case(When(~Q(status="handled") & Q(deadline__lt=today), then=Value(True)),
                                   default=Value(False), output_field=BooleanField()))
            .order_by("-overdue", "deadline", "id"))


def report_in_scope(user, pk: int) -> Report | None:
    return reports_for_user(user).filter(pk=pk).prefetch_related("photos").first()


def photo_in_scope(user, pk: int) -> EvidencePhoto | None:
    scope = Q(inspection__in=inspections_for_user(user).values("pk")) | \
        Q(hazard__in=Hazard.objects.filter(_hazard_rule(user))) | Q(report__in=Report.objects.filter(_in_cells(user)))
    return EvidencePhoto.objects.filter(scope, pk=pk).first()


def exposures_for_user(user) -> QuerySet[Exposure]:
    return Exposure.objects.filter(_in_cells(user))


def summonses_for_user(user) -> QuerySet[Summons]:
    return Summons.objects.filter(_in_cells(user))


def penalty_decisions_for_user(user) -> QuerySet[EnforcementDocument]:
    """Issued penalty decisions in scope, each with its publication if any (the staff's
    publication page)."""
    return (EnforcementDocument.objects.filter(_in_cells(user), kind=EnforcementDocument.Kind.PENALTY_DECISION,
                                               status=EnforcementDocument.Status.ISSUED)
            .select_related("enterprise", "publication"))


def publications_for_user(user) -> QuerySet[Publication]:
    return Publication.objects.filter(_in_cells(user)).select_related("enterprise")


def credit_listings_for_user(user) -> QuerySet[CreditListing]:
    return CreditListing.objects.filter(_in_cells(user)).select_related("enterprise", "recorded_by")


# --- the district overview -------------------------------------------------------------------

def overdue_work(user) -> dict:
    """How many open tasks and open hazards in scope are past their due date today."""
    return {"tasks": tasks_for_user(user, open_only=True).filter(overdue=True).count(),
            "hazards": hazards_for_user(user, open_only=True).filter(overdue=True).count()}


def plan_progress(year: int) -> dict | None:
    """The plan of a year (or the latest before it): visits planned in all and up to today,
    and routine inspections of its enterprises made in its year."""
    from .models import AnnualPlan, PlanVisit

    plan = AnnualPlan.objects.filter(year__lte=year).order_by("-year").first()
    if plan is None:
        return None
    visits = PlanVisit.objects.filter(entry__plan=plan)
    today = timezone.localdate()
    done = Inspection.objects.filter(kind=Inspection.Kind.ROUTINE, inspected_on__year=plan.year,
                                     enterprise__plan_entries__plan=plan).count()
    planned = visits.count()
    return {"plan": plan, "planned": planned, "due_by_today": visits.filter(planned_on__lte=today).count(),
            "done": done, "percent": round(100 * min(done, planned) / planned) if planned else 0}


def enterprises_never_inspected(user) -> QuerySet[Enterprise]:
    """Enterprises in scope without any inspection on record, highest risk first."""
    return (enterprises_visible(user).filter(~Exists(Inspection.objects.filter(enterprise=OuterRef("pk"))))
            .select_related("cell").order_by(RISK_ORDER, "name"))
