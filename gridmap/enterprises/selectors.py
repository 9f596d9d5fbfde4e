"""Reads: every selector takes the user and goes through the one scope rule."""

from __future__ import annotations

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round

from gridmap.accounts.capabilities import is_enterprise_account
from gridmap.grids.models import Grid
from gridmap.grids.scope import scope_for

from .models import Enterprise, EnterpriseAccount, RegisterChange, RiskPoint
from .risk import SHORT_LABELS


def own_enterprise_ids(user) -> frozenset[int]:
    """The enterprise an enterprise user acts for (empty for anyone else): the one line of the
    scope rule that grids.scope cannot say itself. Read once per user object."""
    if not is_enterprise_account(user):
        return frozenset()
    try:
        return user._own_enterprise_ids
    except AttributeError:
        user._own_enterprise_ids = frozenset(
            EnterpriseAccount.objects.filter(user_id=user.pk).values_list("enterprise_id", flat=True))
        return user._own_enterprise_ids


def enterprise_rule(user, path: str = "") -> Q:
    """Q: the records of enterprises the user may see (`path` leads from the record to its
    enterprise, e.g. "enterprise__"): those in their cells, those in no cell for district-wide
    users, and an enterprise user's own."""
    scope = scope_for(user)
    rule = Q(**{f"{path}cell__in": scope.cells()})
    if scope.everything:
        rule |= Q(**{f"{path}cell__isnull": True})
    own = own_enterprise_ids(user)
    if own:
        rule = Q(**{f"{path}pk__in": own}) if path == "" else Q(**{f"{path}id__in": own})
    return rule


def _level_label(field: str) -> Case:
    return Case(*[When(**{field: k}, then=Value(v)) for k, v in SHORT_LABELS.items()],
                default=Value("未评估"), output_field=CharField())


def _completeness(queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """A register is complete with at least one risk point, a responsible person for every
    point, and a site map (a site outline with every risk point placed on it)."""
    points = RiskPoint.objects.filter(enterprise=OuterRef("pk"))
    return queryset.annotate(
        has_points=Exists(points),
        all_responsible=~Exists(points.filter(responsible_person="")),
        has_site_map=ExpressionWrapper(
            Q(site__isnull=False) & ~Exists(points.filter(location__isnull=True)),
            output_field=BooleanField()),
    ).annotate(
        register_complete=ExpressionWrapper(
            Q(has_points=True, all_responsible=True, has_site_map=True),
            output_field=BooleanField()),
    )


def enterprises_for_user(user, *, filters: dict | None = None) -> QuerySet[Enterprise]:
    """The enterprises in the user's cells; district-wide users also see those in no cell."""
    queryset = Enterprise.objects.filter(enterprise_rule(user)).annotate(
        cell_code=F("cell__code"), cell_name=F("cell__name"),
        grid1_code=F("cell__parent__code"), grid1_name=F("cell__parent__name"),
        risk_level_name=_level_label("risk_level"),
        # count(*) of the enterprise's points as a plain scalar subquery (no GROUP BY, no join);
        # count(*), not count(id): an index-only scan of the enterprise_id index can answer it.
        point_count=Subquery(RiskPoint.objects.filter(enterprise=OuterRef("pk")).order_by()
                             .annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n"),
                             output_field=IntegerField()),
    )
    queryset = _completeness(queryset)
    return apply_filters(queryset, filters or {})


FILTERS = {
    "q": lambda v: Q(name__icontains=v) | Q(credit_code__iexact=v),
    "cell": lambda v: Q(cell__code=v),
    "grid": lambda v: Q(cell__parent__code=v) | Q(cell__code=v),
    "risk_level": lambda v: Q(risk_level="" if v == "none" else v),
    "industry": lambda v: Q(industry_code__startswith=v),
    "supervision_class": lambda v: Q(supervision_class=v),
    "status": lambda v: Q(status=v),
    "hazardous_chemicals": lambda v: Q(hazardous_chemicals=v in ("1", "true", "是")),
    "complete": lambda v: Q(register_complete=v in ("1", "true", "是")),
    "unassigned": lambda v: Q(cell__isnull=v in ("1", "true")),
}


def apply_filters(queryset: QuerySet[Enterprise], filters: dict) -> QuerySet[Enterprise]:
    for name, build in FILTERS.items():
        value = filters.get(name)
        if value not in (None, ""):
            queryset = queryset.filter(build(str(value).strip()))
    return queryset


def enterprise_for_user(user, pk: int) -> Enterprise | None:
    return enterprises_for_user(user).select_related("cell", "cell__parent").filter(pk=pk).first()


def risk_points_for_user(user, *, enterprise: Enterprise | None = None,
                         located_only: bool = False) -> QuerySet[RiskPoint]:
    queryset = RiskPoint.objects.filter(enterprise_rule(user, "enterprise__"))
    if enterprise is not None:
        queryset = queryset.filter(enterprise=enterprise)
    if located_only:
        queryset = queryset.filter(location__isnull=False)
    return queryset.annotate(
        enterprise_name=F("enterprise__name"), credit_code=F("enterprise__credit_code"),
        level_name=_level_label("level"),
    ).order_by("enterprise_id", "number")


def completeness_by_grid(user, *, level: int) -> QuerySet[Grid]:
    """Per grid of a level: enterprises and how many meet each part of a complete register."""
    cells = scope_for(user).cells()
    enterprise_qs = _completeness(Enterprise.objects.filter(cell__in=cells))
    path = "cell" if level == Grid.Level.LEVEL_2 else "cell__parent"
    rows = enterprise_qs.values(code=F(f"{path}__code")).annotate(
        total=Count("id"),
        with_points=Count("id", filter=Q(has_points=True)),
        with_responsible=Count("id", filter=Q(has_points=True, all_responsible=True)),
        with_site_map=Count("id", filter=Q(has_site_map=True)),
        complete=Count("id", filter=Q(register_complete=True)),
    )
    stats = {row["code"]: row for row in rows}
    grids = scope_for(user).grids().current().filter(level=level).annotate(
        parent_code=F("parent__code"), parent_name=F("parent__name"),
    ).order_by("code")
    # Counts are joined in Python over at most a few hundred grids; the per-enterprise work
    # above stays in one SQL query.
    result = []
    for grid in grids:
        row = stats.get(grid.code, {})
        grid.total = row.get("total", 0)
        for key in ("with_points", "with_responsible", "with_site_map", "complete"):
            setattr(grid, key, row.get(key, 0))
        grid.percent = round(100 * grid.complete / grid.total, 1) if grid.total else None
        result.append(grid)
    return result


COMPLETENESS_BANDS = (("≥ 90%", 90), ("75–90%", 75), ("50–75%", 50), ("< 50%", 0))


def completeness_cells_for_user(user) -> QuerySet[Grid]:
    """Level-II cells (of the open generation: enterprises are in those) with their register
    completeness, for the choropleth layer."""
    cells = scope_for(user).cells().current().filter(level=Grid.Level.LEVEL_2)
    enterprises = _completeness(Enterprise.objects.filter(cell=OuterRef("pk")))
    total = Coalesce(enterprises.values("cell").annotate(n=Count("id")).values("n"), 0,
                     output_field=IntegerField())
    complete = Coalesce(enterprises.filter(register_complete=True).values("cell")
                        .annotate(n=Count("id")).values("n"), 0, output_field=IntegerField())
    queryset = cells.annotate(enterprise_count=total, complete_count=complete).annotate(
        complete_percent=Case(
            When(enterprise_count=0, then=Value(None, output_field=FloatField())),
            default=Round(100.0 * Cast("complete_count", FloatField())
                          / Cast("enterprise_count", FloatField()), 1),
            output_field=FloatField()),
        parent_name=F("parent__name"),
    )
    bands = [When(enterprise_count=0, then=Value("无企业"))]
    bands += [When(complete_percent__gte=bound, then=Value(label))
              for label, bound in COMPLETENESS_BANDS]
    return queryset.annotate(completeness_band=Case(*bands, output_field=CharField()))


def enterprise_distance_m(*, enterprise_id: int, point) -> float:
    """Geodesic distance in metres from an enterprise's location to a WGS84 point."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Distance(location::geography, ST_GeomFromEWKB(%s)::geography) "
                       "FROM enterprises_enterprise WHERE id = %s", [bytes(point.ewkb), enterprise_id])
        return cursor.fetchone()[0]


def enterprises_without_cell(user) -> QuerySet:
    """Enterprises outside every level-II cell (a wrong position or a gap in the grid)."""
    if not scope_for(user).everything:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(cell__isnull=True).order_by("name")


def enterprises_in_cells(user, codes) -> QuerySet:
    return (enterprises_for_user(user).filter(cell__code__in=list(codes))
            .select_related("cell").order_by("cell__code", "name"))


def register_changes_for_user(user, *, status: str | None = None) -> QuerySet:
    """Proposed register changes of the enterprises the user sees (an enterprise user: its own)."""
    queryset = RegisterChange.objects.filter(enterprise_rule(user, "enterprise__"))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("enterprise", "risk_point", "proposed_by", "reviewed_by")


def last_approved_change(enterprise_id: int):
    """When the register last changed by an approved proposal (None: never)."""
    return (RegisterChange.objects.filter(enterprise_id=enterprise_id, status=RegisterChange.Status.APPROVED)
            .order_by("-reviewed_at").values_list("reviewed_at", flat=True).first())
