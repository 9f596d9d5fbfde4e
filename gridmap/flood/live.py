"""Reads of the command map's live picture that belong to flood (issue 17 §8): the situation
reports and dispatches in play, and the zones coloured by the worst state inside them. The
picture itself, with the open hazards of inspections, is composed in
gridmap.workspaces.flood.situation.

In play: a situation report of an open event, or made in the last LIVE_REPORT_WINDOW (one
attached to no event still matters while it is fresh); a dispatch of an open event.
A zone's state: `danger` if a station inside is in danger or a severe (严重) report lies in
it, `warning` if a station inside is above normal or any report in play lies in it,
otherwise `normal`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.db.models import GeometryField
from django.db.models import (
    Case,
    CharField,
    Exists,
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
from django.db.models.functions import Coalesce, Now

from .events.models import SituationReport
from .events.selectors import dispatches_for_map, situation_reports_for_map
from .gauges import STATION_TABLES, stations_with_state
from .models import FloodZone, Station
from .selectors import zones_for_user

LIVE_REPORT_WINDOW = dt.timedelta(hours=48)
# Zone outlines on the live map: simplified to about 20 m (they are redrawn on every change).
ZONE_TOLERANCE_DEG = 0.0002

REPORT_TABLES = ("flood_situationreport", "flood_event", "grids_grid")
DISPATCH_TABLES = ("flood_dispatch", "flood_teamdeployment", "flood_event")
ZONE_TABLES = ("flood_floodzone",)
ZONE_STATE_TABLES = ("flood_floodzone", *STATION_TABLES, "flood_situationreport", "flood_event")

REPORT_PROPERTIES = ("kind", "kind_name", "severity", "severity_name", "description", "reporter_name",
                     "cell_code", "when", "event_id", "event_name")
DISPATCH_PROPERTIES = ("event_id", "event_name", "depot_name", "depot_lon", "depot_lat", "items_text",
                       "teams_text", "distance_km", "state", "state_name", "when")
ZONE_PROPERTIES = ("name", "kind", "kind_name")
ZONE_STATE_NAMES = {"danger": "危险", "warning": "警戒", "normal": "正常"}


def _in_play() -> Q:
    open_event = Q(event__isnull=False, event__ended_at__isnull=True)
    return open_event | Q(reported_at__gte=Now() - LIVE_REPORT_WINDOW)


def live_reports(user) -> QuerySet[SituationReport]:
    """The situation reports in play that the user may see, newest first."""
    return situation_reports_for_map(user).filter(_in_play()).order_by("-reported_at", "-id")


def live_dispatches(user) -> QuerySet:
    """The dispatches of open events, at their destination, with the depot they left from."""
    return dispatches_for_map(user).filter(event__ended_at__isnull=True).annotate(
        depot_lon=Func(F("depot__location"), function="ST_X", output_field=FloatField()),
        depot_lat=Func(F("depot__location"), function="ST_Y", output_field=FloatField()),
    ).order_by("dispatched_at", "id")


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values(n=Func(F("pk"), function="COUNT"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def zone_outlines(user) -> QuerySet[FloodZone]:
    """The zones the user may command, each with `live_geom`, its outline simplified for the
    live map: sent again only when a zone changes."""
    return zones_for_user(user).annotate(
        live_geom=Func(F("geom"), Value(ZONE_TOLERANCE_DEG), function="ST_SimplifyPreserveTopology",
                       output_field=GeometryField(srid=4326)),
    ).order_by("kind", "name")


def zones_with_state(user) -> QuerySet[FloodZone]:
    """Every zone the user may command with its worst state inside (see the module) and the
    counts behind it."""
    # The stations' states are read once (each costs its 24 h rain sum), not once per zone.
    states = dict(stations_with_state().values_list("pk", "state"))
    in_danger = [pk for pk, state in states.items() if state == "danger"]
    in_warning = [pk for pk, state in states.items() if state == "warning"]
    stations = Station.objects.filter(location__intersects=OuterRef("geom"))
    reports = SituationReport.objects.filter(_in_play(), position__intersects=OuterRef("geom"))
    danger = (Exists(stations.filter(pk__in=in_danger))
              | Exists(reports.filter(severity=SituationReport.Severity.CRITICAL)))
    warning = Exists(stations.filter(pk__in=in_warning)) | Exists(reports)
    return zones_for_user(user).annotate(
        stations_danger=_count(stations.filter(pk__in=in_danger)),
        stations_warning=_count(stations.filter(pk__in=in_warning)),
        reports=_count(reports),
        reports_critical=_count(reports.filter(severity=SituationReport.Severity.CRITICAL)),
        state=Case(When(danger, then=Value("danger")), When(warning, then=Value("warning")),
                   default=Value("normal"), output_field=CharField()),
    ).order_by("kind", "name")


def zone_states(user) -> list[dict]:
    """The zones' states as rows (`id`, `state`, `state_name` and the counts), small enough to
    send on every change of a station or a report."""
    rows = list(zones_with_state(user).values("id", "state", "stations_danger", "stations_warning", "reports",
                                              "reports_critical"))
    for row in rows:
        row["state_name"] = ZONE_STATE_NAMES[row["state"]]
    return rows
