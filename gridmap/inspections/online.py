"""上线率: how many of a grid's enterprises are online in the self-inspection system.

Over the last 30 days (the day itself and the 29 before it, Asia/Shanghai):
- online: an enterprise (not closed) that signed in and recorded a self-inspection (a record
  is made only by the enterprise's own signed-in account) on one of those days;
- checks on time: the post and team tiers check daily (data/check_frequencies.json), so an
  enterprise with risk points owes one check a day; the share on time is the days with a
  self-inspection, summed over those enterprises, over 30 × their number.
Counted per level-II cell (the layer) and per level-I grid (the table), by the enterprise's
cell today, in SQL (one subquery per figure; no row leaves the database).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone

from gridmap.enterprises.models import Enterprise, EnterpriseAccount, RiskPoint
from gridmap.grids.models import Grid
from gridmap.grids.scope import scope_for

from .models import SelfInspection

WINDOW_DAYS = 30
ONLINE_BANDS = (("≥ 80%", 80), ("50–80%", 50), ("20–50%", 20), ("< 20%", 0))


def window(day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    day = day or timezone.localdate()
    return day - dt.timedelta(days=WINDOW_DAYS - 1), day


def _count(queryset, path: str) -> Coalesce:
    return Coalesce(Subquery(queryset.order_by().values(path).annotate(
        n=Func(template="COUNT(*)", output_field=IntegerField())).values("n"), output_field=IntegerField()), 0,
        output_field=IntegerField())


def _percent(part: str, whole: str, factor: int = 1) -> Case:
    return Case(When(**{whole: 0}, then=Value(None, output_field=FloatField())),
                default=Round(100.0 * Cast(part, FloatField()) / (factor * Cast(whole, FloatField())), 1),
                output_field=FloatField())


def online_grids(user, *, level: int, day: dt.date | None = None) -> QuerySet[Grid]:
    """The grids of a level (2: cells, 1: towns) in the user's scope, with enterprise_count,
    online_count, online_percent, checkable_count, check_days, on_time_percent, online_band."""
    start, end = window(day)
    path = "cell" if level == Grid.Level.LEVEL_2 else "cell__parent"
    grids = scope_for(user).grids().current().filter(level=level)
    enterprises = Enterprise.objects.exclude(status=Enterprise.Status.CLOSED).filter(**{path: OuterRef("pk")})
    checked = SelfInspection.objects.filter(enterprise=OuterRef("pk"), checked_on__range=(start, end))
    checkable = enterprises.filter(Exists(RiskPoint.objects.filter(enterprise=OuterRef("pk"))))
    days = (SelfInspection.objects.filter(**{f"enterprise__{path}": OuterRef("pk")}, checked_on__range=(start, end))
            .exclude(enterprise__status=Enterprise.Status.CLOSED)
            .filter(Exists(RiskPoint.objects.filter(enterprise=OuterRef("enterprise"))))
            .order_by().values(f"enterprise__{path}")
            .annotate(n=Func(F("enterprise_id"), F("checked_on"), template="COUNT(DISTINCT (%(expressions)s))",
                             output_field=IntegerField())).values("n"))
    queryset = grids.annotate(
        enterprise_count=_count(enterprises, path),
        online_count=_count(enterprises.filter(Exists(checked)), path),
        checkable_count=_count(checkable, path),
        check_days=Coalesce(Subquery(days, output_field=IntegerField()), 0, output_field=IntegerField()),
        parent_name=F("parent__name"),
    ).annotate(
        online_percent=_percent("online_count", "enterprise_count"),
        on_time_percent=_percent("check_days", "checkable_count", WINDOW_DAYS),
    )
    bands = [When(enterprise_count=0, then=Value("无企业"))]
    bands += [When(online_percent__gte=bound, then=Value(label)) for label, bound in ONLINE_BANDS]
    return queryset.annotate(online_band=Case(*bands, output_field=CharField())).order_by("code")


def online_cells_for_user(user) -> QuerySet[Grid]:
    """The level-II cells with their 上线率, for the choropleth layer."""
    return online_grids(user, level=Grid.Level.LEVEL_2)


def enterprises_not_online(user, cell: Grid, day: dt.date | None = None) -> QuerySet[Enterprise]:
    """A cell's enterprises (not closed) without a self-inspection in the last 30 days: the
    officer's visits to make. Through the scope rule: another cell's answer is empty."""
    start, end = window(day)
    if not scope_for(user).cells().filter(pk=cell.pk).exists():
        return Enterprise.objects.none()
    return (Enterprise.objects.filter(cell=cell).exclude(status=Enterprise.Status.CLOSED)
            .exclude(Exists(SelfInspection.objects.filter(enterprise=OuterRef("pk"), checked_on__range=(start, end))))
            .annotate(has_account=Exists(EnterpriseAccount.objects.filter(
                enterprise=OuterRef("pk"), user__is_active=True)))
            .order_by("name", "id"))


