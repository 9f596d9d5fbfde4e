"""Reads of the gauges in a storm (issue 17): each station with its state, computed in SQL
from its readings, and the places at risk (易涝点, villages to evacuate, shelters).

A station's state comes from its latest reading by observation time, so a late older reading
is stored but changes nothing. Rain: the sum of the 24 hours up to that reading against the
station's 24 h thresholds (GB/T 28592-2012: ≥ 50 mm 暴雨 → warning, ≥ 100 mm 大暴雨 → danger).
Water level: above 警戒水位 → warning, above 保证水位 → danger. A station silent for
STALE_AFTER is `stale` (its state stays that of its last reading).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Now

from gridmap.accounts.capabilities import COMMAND_FLOODS

from .models import EvacuationVillage, Reading, Shelter, Station, WaterloggingPoint

RAIN_WINDOW = dt.timedelta(hours=24)
STALE_AFTER = dt.timedelta(hours=6)

STATES = {"normal": "正常", "warning": "超警戒", "danger": "超保证"}
RAIN_STATES = {"normal": "正常", "warning": "24 小时暴雨", "danger": "24 小时大暴雨"}
STATE_ORDER = ("danger", "warning", "normal")

# The stations' data: what the map's tags are derived from.
STATION_TABLES = ("flood_station", "flood_reading")


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def stations_with_state() -> QuerySet[Station]:
    """Every station with `latest_time`, `latest_value`, `rain_24h_mm` (rain stations),
    `measure` (what the thresholds are compared with), `state`, `state_name` and `stale`."""
    latest = Reading.objects.filter(station=OuterRef("pk")).order_by("-time")
    window = (Reading.objects.filter(station=OuterRef("pk"), time__lte=OuterRef("latest_time"),
                                     time__gt=OuterRef("latest_time") - RAIN_WINDOW)
              .order_by().values("station").annotate(total=Sum("value")).values("total"))
    rain = Q(kind=Station.Kind.RAIN)
    queryset = Station.objects.annotate(
        latest_time=Subquery(latest.values("time")[:1]),
        latest_value=Subquery(latest.values("value")[:1], output_field=FloatField()),
    ).annotate(
        rain_24h_mm=Case(When(rain, then=Subquery(window, output_field=FloatField())),
                         output_field=FloatField()),
    ).annotate(
        measure=Case(When(rain, then=F("rain_24h_mm")), default=F("latest_value"),
                     output_field=FloatField()),
    ).annotate(
        state=Case(
            When(latest_time__isnull=True, then=_text("normal")),
            When(rain & Q(measure__gte=F("guarantee_level")), then=_text("danger")),
            When(rain & Q(measure__gte=F("warning_level")), then=_text("warning")),
            When(~rain & Q(measure__gt=F("guarantee_level")), then=_text("danger")),
            When(~rain & Q(measure__gt=F("warning_level")), then=_text("warning")),
            default=_text("normal"), output_field=CharField()),
        # Now() is the statement's clock: the compiled query stays the same from call to call.
        stale=Case(When(Q(latest_time__isnull=True) | Q(latest_time__lt=Now() - STALE_AFTER), then=True),
                   default=False, output_field=BooleanField()),
        kind_name=Case(When(rain, then=_text(Station.Kind.RAIN.label)),
                       default=_text(Station.Kind.WATER_LEVEL.label), output_field=CharField()),
        river_name=F("river__name"),
    )
    return queryset.annotate(state_name=Case(
        *[When(rain & Q(state=key), then=_text(label)) for key, label in RAIN_STATES.items()],
        *[When(state=key, then=_text(label)) for key, label in STATES.items()],
        default=_text(""), output_field=CharField()))


def stations_for_user(user) -> QuerySet[Station]:
    """Gauges are shared facts of the storm: every signed-in user sees them."""
    if not getattr(user, "is_authenticated", False):
        return Station.objects.none()
    return stations_with_state()


def stations_above_normal(user) -> QuerySet[Station]:
    """The stations in warning or danger, the worst and the highest first."""
    order = Case(*[When(state=s, then=Value(i)) for i, s in enumerate(STATE_ORDER)])
    return stations_for_user(user).exclude(state="normal").order_by(order, F("measure").desc(nulls_last=True),
                                                                     "code")


def waterlogging_points_for_user(user) -> QuerySet[WaterloggingPoint]:
    return WaterloggingPoint.objects.all() if COMMAND_FLOODS.allows(user) else WaterloggingPoint.objects.none()


def shelters_for_user(user) -> QuerySet[Shelter]:
    return Shelter.objects.all() if COMMAND_FLOODS.allows(user) else Shelter.objects.none()


def villages_for_user(user) -> QuerySet[EvacuationVillage]:
    queryset = EvacuationVillage.objects.annotate(shelter_name=F("shelter__name"))
    return queryset if COMMAND_FLOODS.allows(user) else queryset.none()
