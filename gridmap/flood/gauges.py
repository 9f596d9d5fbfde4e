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

from django.db.models import BooleanField, Case, CharField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import Now

from gridmap.accounts.capabilities import COMMAND_FLOODS

from .models import EvacuationVillage, Shelter, Station, WaterloggingPoint

# The 24 hours are also written in the view flood_stationstate (migration 0008).
RAIN_WINDOW = dt.timedelta(hours=24)
STALE_AFTER = dt.timedelta(hours=6)

STATES = {"normal": "正常", "warning": "超警戒", "danger": "超保证"}
RAIN_STATES = {"normal": "正常", "warning": "24 小时暴雨", "danger": "24 小时大暴雨"}
STATE_ORDER = ("danger", "warning", "normal")

# The stations' data: what the map's tags are derived from.
STATION_TABLES = ("flood_station", "flood_reading")


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _state_name() -> Case:
    """The state in words: rain stations speak of 暴雨 grades, water-level ones of levels."""
    rain = Q(kind=Station.Kind.RAIN)
    whens = [When(rain & Q(live__state=state), then=_text(name)) for state, name in RAIN_STATES.items()]
    whens += [When(~rain & Q(live__state=state), then=_text(name)) for state, name in STATES.items()]
    return Case(*whens, default=_text(STATES["normal"]), output_field=CharField())


def stations_with_state() -> QuerySet[Station]:
    """Every station with `latest_time`, `latest_value`, `rain_24h_mm` (rain stations), `state`,
    `state_name` and `stale`; `measure` (what the thresholds are compared with) to order by.

    The state comes from the view flood_stationstate (models.StationState): the latest
    reading and the 24 h rain sum are each read once per station from the readings' index."""
    rain = Q(kind=Station.Kind.RAIN)
    # now() is the statement's clock: the compiled query stays the same from call to call.
    silent = Q(live__latest_time__isnull=True) | Q(live__latest_time__lt=Now() - STALE_AFTER)
    return Station.objects.annotate(
        latest_time=F("live__latest_time"),
        latest_value=F("live__latest_value"),
        rain_24h_mm=F("live__rain_24h_mm"),
        state=F("live__state"),
        stale=ExpressionWrapper(silent, output_field=BooleanField()),
        kind_name=Case(When(rain, then=_text(Station.Kind.RAIN.label)),
                       default=_text(Station.Kind.WATER_LEVEL.label), output_field=CharField()),
        river_name=F("river__name"),
        state_name=_state_name(),
    ).alias(measure=F("live__measure"))  # for ordering, not selected


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
