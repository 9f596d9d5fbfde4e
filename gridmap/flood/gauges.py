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

from django.db.models import BooleanField, Case, CharField, DateTimeField, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from gridmap.accounts.capabilities import COMMAND_FLOODS

from .models import EvacuationVillage, Shelter, Station, WaterloggingPoint

RAIN_WINDOW = dt.timedelta(hours=24)
STALE_AFTER = dt.timedelta(hours=6)

STATES = {"normal": "正常", "warning": "超警戒", "danger": "超保证"}
RAIN_STATES = {"normal": "正常", "warning": "24 小时暴雨", "danger": "24 小时大暴雨"}
STATE_ORDER = ("danger", "warning", "normal")

# The stations' data: what the map's tags are derived from.
STATION_TABLES = ("flood_station", "flood_reading")


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


# Scalar sub-selects on the station row: each reads the index (station, time desc) once, so a
# column costs a few index probes however the others use it (CASE over Django annotations
# would repeat every referenced sub-select inside each WHEN).
_LATEST_TIME = "(SELECT max(r.time) FROM flood_reading r WHERE r.station_id = flood_station.id)"
_LATEST_VALUE = ("(SELECT r.value FROM flood_reading r WHERE r.station_id = flood_station.id "
                 "ORDER BY r.time DESC LIMIT 1)")
_RAIN = f"""(CASE WHEN flood_station.kind = 'rain' THEN (SELECT (
    SELECT round(sum(r.value)::numeric, 1)::float8 FROM flood_reading r
    WHERE r.station_id = flood_station.id AND r.time <= l.t AND r.time > l.t - make_interval(secs => %s))
  FROM (SELECT {_LATEST_TIME} AS t) l) END)"""
_MEASURE = f"(CASE WHEN flood_station.kind = 'rain' THEN {_RAIN} ELSE {_LATEST_VALUE} END)"
# Rain: at or over the 24 h grade; water level: above the level (警戒 / 保证).
_STATE = f"""(SELECT CASE
    WHEN m.v IS NULL THEN 'normal'
    WHEN flood_station.kind = 'rain' AND m.v >= flood_station.guarantee_level THEN 'danger'
    WHEN flood_station.kind = 'rain' AND m.v >= flood_station.warning_level THEN 'warning'
    WHEN flood_station.kind <> 'rain' AND m.v > flood_station.guarantee_level THEN 'danger'
    WHEN flood_station.kind <> 'rain' AND m.v > flood_station.warning_level THEN 'warning'
    ELSE 'normal' END FROM (SELECT {_MEASURE} AS v) m)"""
_STATE_NAME = f"""(SELECT CASE WHEN flood_station.kind = 'rain' THEN
    CASE s.state {" ".join(["WHEN %s THEN %s"] * len(RAIN_STATES))} END
  ELSE CASE s.state {" ".join(["WHEN %s THEN %s"] * len(STATES))} END END FROM (SELECT {_STATE} AS state) s)"""
_STATE_NAME_PARAMS = tuple(v for pair in [*RAIN_STATES.items(), *STATES.items()] for v in pair)
_STALE = f"(SELECT l.t IS NULL OR l.t < now() - make_interval(secs => %s) FROM (SELECT {_LATEST_TIME} AS t) l)"


def stations_with_state() -> QuerySet[Station]:
    """Every station with `latest_time`, `latest_value`, `rain_24h_mm` (rain stations), `state`,
    `state_name` and `stale`; `measure` (what the thresholds are compared with) to order by."""
    window, stale_after = RAIN_WINDOW.total_seconds(), STALE_AFTER.total_seconds()
    rain = Q(kind=Station.Kind.RAIN)
    queryset = Station.objects.annotate(
        latest_time=RawSQL(_LATEST_TIME, (), output_field=DateTimeField()),
        latest_value=RawSQL(_LATEST_VALUE, (), output_field=FloatField()),
        rain_24h_mm=RawSQL(_RAIN, (window,), output_field=FloatField()),
        state=RawSQL(_STATE, (window,), output_field=CharField()),
        # now() is the statement's clock: the compiled query stays the same from call to call.
        stale=RawSQL(_STALE, (stale_after,), output_field=BooleanField()),
        kind_name=Case(When(rain, then=_text(Station.Kind.RAIN.label)),
                       default=_text(Station.Kind.WATER_LEVEL.label), output_field=CharField()),
        river_name=F("river__name"),
    ).alias(measure=RawSQL(_MEASURE, (window,), output_field=FloatField()))  # for ordering, not selected
    return queryset.annotate(state_name=RawSQL(_STATE_NAME, (*_STATE_NAME_PARAMS, window), output_field=CharField()))


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
