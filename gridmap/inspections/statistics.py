"""The annual-report figures (domain.md §1) by grid and period, computed by ORM aggregation
in the database; `statistics_in_python` recomputes them independently from the records so
that tests can reconcile the two."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum

from gridmap.grids.models import Grid
from gridmap.grids.scope import scope_for

from .models import (
    SUPERVISION_KINDS,
    EnforcementDocument,
    Exposure,
    Hazard,
    HazardStatus,
    Inspection,
    LegalReview,
    Report,
    Summons,
)

FIGURES = (
    ("inspections", "监督检查（户次）"),
    ("hazards_found", "发现隐患"),
    ("hazards_rectified", "整改销号"),
    ("documents", "执法文书"),
    ("enterprises_fined", "罚款企业"),
    ("fines_total", "罚款金额（元）"),
    ("production_stops", "停产停业企业"),
    ("equipment_out_of_use", "责令暂时停止使用设备（台套）"),
    ("equipment_sealed", "查封扣押（台套）"),
    ("exposures", "曝光企业"),
    ("summons", "约谈（人次）"),
    ("legal_reviews", "法制审核"),
    ("reports_handled", "办结举报"),
)
# Where each measure stands in the law, shown with the figures: 安全生产法 as amended in 2014
# (in force until 31 August 2021) 第六十二条第一款, renumbered 第六十五条第一款 by the 2021
# amendment (in force from 1 September 2021); items (三) and (四) kept their wording.
LAW_2021_FROM = dt.date(2021, 9, 1)
_MEASURE_ITEMS = {
    "equipment_out_of_use": "第（三）项：责令暂时停产停业或者停止使用相关设施、设备",
    "equipment_sealed": "第（四）项：予以查封或者扣押",
}


def measure_basis(start: dt.date, end: dt.date) -> dict[str, str]:
    """Each measure's article in the text(s) in force over the period (both across 1 Sept 2021)."""
    versions = []
    if start < LAW_2021_FROM:
        versions.append("《安全生产法》（2014年修正）第六十二条第一款")
    if end >= LAW_2021_FROM:
        versions.append("《安全生产法》（2021年修正）第六十五条第一款")
    return {key: "；".join(f"{v}{item}" for v in versions) for key, item in _MEASURE_ITEMS.items()}


# Patrols (巡查) and officers' verifications are not inspections; leads are not hazards until confirmed.
NOT_HAZARDS = (HazardStatus.LEAD, HazardStatus.DISMISSED)
# The unit each figure is counted in: one chart never mixes two (户次 of visits are not 家 of
# enterprises, nor 人次 of people summoned, nor 台套 of equipment).
UNITS = {"inspections": "户次", "hazards_found": "项", "hazards_rectified": "项", "documents": "份",
         "enterprises_fined": "家", "fines_total": "元", "production_stops": "家", "equipment_out_of_use": "台套",
         "equipment_sealed": "台套",
         "exposures": "家", "summons": "人次", "legal_reviews": "件", "reports_handled": "件"}
ISSUED = EnforcementDocument.Status.ISSUED
PENALTY = EnforcementDocument.Kind.PENALTY_DECISION


def _path(level: int, prefix: str = "cell") -> str:
    return f"{prefix}__code" if level == Grid.Level.LEVEL_2 else f"{prefix}__parent__code"


def _grids(user, level: int, start: dt.date, end: dt.date):
    """The grids of a level whose boundary held on some day of the period: a past period is
    counted by the cells of that period (each record by its own cell, the cell of its day)."""
    return (scope_for(user).grids().filter(level=level, valid_from__lte=end)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start)).order_by("code"))


def _scoped(model, user, prefix="cell"):
    scope = scope_for(user)
    queryset = model.objects.all()
    return queryset if scope.everything else queryset.filter(**{f"{prefix}__in": scope.cells()})


def statistics_by_grid(user, *, start: dt.date, end: dt.date, level: int = Grid.Level.LEVEL_1) -> dict:
    """{grid code: {figure: value}} for the grids of a level in the user's scope, plus
    "total", for records dated within [start, end]."""
    path = _path(level)
    rows: dict[str, dict] = {g.code: {k: 0 for k, _ in FIGURES} for g in _grids(user, level, start, end)}

    def put(queryset, key_values):
        for row in queryset:
            code = row.pop("code")
            if code in rows:
                for key, value in row.items():
                    rows[code][key_values.get(key, key)] = value or 0

    put(_scoped(Inspection, user).filter(inspected_on__range=(start, end), kind__in=SUPERVISION_KINDS)
        .values(code=F(path)).annotate(inspections=Count("id")), {})
    put(_scoped(Hazard, user).filter(found_on__range=(start, end)).exclude(status__in=NOT_HAZARDS).values(code=F(path))
        .annotate(hazards_found=Count("id")), {})
    put(_scoped(Hazard, user).filter(status="closed", closed_on__range=(start, end)).values(code=F(path))
        .annotate(hazards_rectified=Count("id")), {})
    issued = _scoped(EnforcementDocument, user).filter(status=ISSUED, issued_on__range=(start, end))
    put(issued.values(code=F(path)).annotate(
        documents=Count("id"),
        enterprises_fined=Count("enterprise", distinct=True, filter=Q(kind=PENALTY, fine_amount__gt=0)),
        fines_total=Sum("fine_amount", filter=Q(kind=PENALTY)),
        production_stops=Count("enterprise", distinct=True, filter=Q(production_stop=True)),
        equipment_out_of_use=Sum("equipment_out_of_use"), equipment_sealed=Sum("equipment_sealed")), {})
    put(_scoped(Exposure, user).filter(exposed_on__range=(start, end)).values(code=F(path))
        .annotate(exposures=Count("enterprise", distinct=True)), {})
    put(_scoped(Summons, user).filter(held_on__range=(start, end)).values(code=F(path))
        .annotate(summons=Sum("people")), {})
    put(_scoped(LegalReview, user, "document__cell").filter(reviewed_on__range=(start, end))
        .values(code=F(_path(level, "document__cell"))).annotate(legal_reviews=Count("id")), {})
    put(_scoped(Report, user).filter(status="handled", handled_on__range=(start, end)).values(code=F(path))
        .annotate(reports_handled=Count("id")), {})
    total = {k: sum((r[k] for r in rows.values()), Decimal(0) if k == "fines_total" else 0) for k, _ in FIGURES}
    return {"rows": rows, "total": total}


def statistics_in_python(user, *, start: dt.date, end: dt.date, level: int = Grid.Level.LEVEL_1) -> dict:
    """The same figures from the raw records, counted one by one in Python."""
    cells = {g.pk: (g.code if level == Grid.Level.LEVEL_2 else g.parent.code)
             for g in scope_for(user).cells().select_related("parent")}
    rows = defaultdict(lambda: defaultdict(int))

    def within(day):
        return day is not None and start <= day <= end

    for cell_id, day, kind in Inspection.objects.values_list("cell_id", "inspected_on", "kind"):
        if cell_id in cells and within(day) and kind in SUPERVISION_KINDS:
            rows[cells[cell_id]]["inspections"] += 1
    for cell_id, found, status, closed in Hazard.objects.values_list("cell_id", "found_on", "status", "closed_on"):
        if cell_id in cells and status not in NOT_HAZARDS:
            rows[cells[cell_id]]["hazards_found"] += within(found)
            rows[cells[cell_id]]["hazards_rectified"] += status == "closed" and within(closed)
    fined, stopped = defaultdict(set), defaultdict(set)
    for cell_id, ent, kind, status, day, fine, stop, out_of_use, sealed in EnforcementDocument.objects.values_list(
            "cell_id", "enterprise_id", "kind", "status", "issued_on", "fine_amount", "production_stop",
            "equipment_out_of_use", "equipment_sealed"):
        if cell_id not in cells or status != ISSUED or not within(day):
            continue
        code = cells[cell_id]
        rows[code]["documents"] += 1
        rows[code]["equipment_out_of_use"] += out_of_use
        rows[code]["equipment_sealed"] += sealed
        if kind == PENALTY:
            rows[code]["fines_total"] += fine
            if fine > 0:
                fined[code].add(ent)
        if stop:
            stopped[code].add(ent)
    exposed = defaultdict(set)
    for cell_id, ent, day in Exposure.objects.values_list("cell_id", "enterprise_id", "exposed_on"):
        if cell_id in cells and within(day):
            exposed[cells[cell_id]].add(ent)
    for cell_id, day, people in Summons.objects.values_list("cell_id", "held_on", "people"):
        if cell_id in cells and within(day):
            rows[cells[cell_id]]["summons"] += people
    for cell_id, day in LegalReview.objects.values_list("document__cell_id", "reviewed_on"):
        if cell_id in cells and within(day):
            rows[cells[cell_id]]["legal_reviews"] += 1
    for cell_id, status, day in Report.objects.values_list("cell_id", "status", "handled_on"):
        if cell_id in cells and status == "handled" and within(day):
            rows[cells[cell_id]]["reports_handled"] += 1
    for code, people in fined.items():
        rows[code]["enterprises_fined"] = len(people)
    for code, people in stopped.items():
        rows[code]["production_stops"] = len(people)
    for code, people in exposed.items():
        rows[code]["exposures"] = len(people)
    total = {k: sum((r.get(k, 0) for r in rows.values()), Decimal(0) if k == "fines_total" else 0)
             for k, _ in FIGURES}
    return {"rows": {code: dict(r) for code, r in rows.items()}, "total": total}


def cell_statistics_for_map(user, *, start: dt.date | None = None, end: dt.date | None = None):
    """Level-II cells with inspections and open hazards in a period, for the choropleth."""
    from django.db.models import Case, CharField, IntegerField, OuterRef, Subquery, Value, When
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    if end is None:
        # By default the latest year with inspections in scope (the sample year on a demo).
        latest = Inspection.objects.filter(cell__in=scope_for(user).cells()).aggregate(d=Max("inspected_on"))["d"]
        end = dt.date((latest or timezone.localdate()).year, 12, 31)
    start = start or dt.date(end.year, 1, 1)
    # The cells of the period's last day (one generation: a map shows no two on top of each
    # other); each record counts in its own cell.
    cells = scope_for(user).cells().valid_on(min(end, timezone.localdate())).filter(level=Grid.Level.LEVEL_2)

    def count(queryset):
        return Coalesce(Subquery(queryset.filter(cell=OuterRef("pk")).order_by().values("cell")
                                 .annotate(n=Count("id")).values("n")), Value(0), output_field=IntegerField())

    return cells.annotate(
        parent_name=F("parent__name"),
        inspection_count=count(Inspection.objects.filter(inspected_on__range=(start, end), kind__in=SUPERVISION_KINDS)),
        hazard_count=count(Hazard.objects.filter(found_on__range=(start, end)).exclude(status__in=NOT_HAZARDS)),
        period=Value(f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}", output_field=CharField()),
    ).annotate(band=Case(When(inspection_count=0, then=Value("0")), When(inspection_count__lt=5, then=Value("1–4")),
                         When(inspection_count__lt=10, then=Value("5–9")),
                         When(inspection_count__lt=20, then=Value("10–19")),
                         default=Value("≥ 20"), output_field=CharField()))
