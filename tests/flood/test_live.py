"""The command map's live picture beyond the stations (issue 17 §8): situation reports,
dispatches and the open hazards of inspections are parts of /api/flood/situation/ with their
own data versions, so a new report or dispatch changes the picture at once and an unchanged
refresh is still a 304; the zones take the worst state inside them; a map that says which
parts it holds (`known`) is sent only the parts that changed."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from gridmap.accounts.services import device_token_create
from gridmap.flood.events.models import Event, SituationReport, TeamDeployment
from gridmap.flood.gauges import RAIN_WINDOW
from gridmap.flood.models import FloodZone, RescueTeam, Station, StockItem
from gridmap.grids.models import Grid
from gridmap.inspections.models import OPEN_HAZARD_STATUSES, Hazard
from tests.factories import officer_of

pytestmark = pytest.mark.django_db
SITUATION = "/api/flood/situation/"


def user(name):
    return get_user_model().objects.get(username=name)


def token(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {device_token_create(user=person)[1]}")
    return client


@pytest.fixture
def command() -> APIClient:
    return token(user("flood"))


@pytest.fixture
def event(command):
    response = command.post("/api/flood/events/", {
        "name": "2019年第9号台风利奇马（实时图测试）", "kind": "typhoon", "level": 4,
        "started_at": (timezone.now() - dt.timedelta(hours=6)).isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    return Event.objects.get(pk=response.json()["id"])


def known(body) -> str:
    return ",".join(f"{name}:{tag}" for name, tag in body["tags"].items())


def zone_row(body, zone_id) -> dict:
    return next(row for row in body["parts"]["zone_states"] if row["id"] == zone_id)


def zone_state(body, zone_id) -> str:
    return zone_row(body, zone_id)["state"]


def quiet_zone_and_cell(command) -> tuple[FloodZone, Grid, tuple[float, float]]:
    """A zone in normal state now, and a level-II cell with a point inside both."""
    body = command.get(SITUATION, {"parts": "zone_states"}).json()
    quiet = [row["id"] for row in body["parts"]["zone_states"] if row["state"] == "normal"]
    for zone in FloodZone.objects.filter(pk__in=quiet, kind="sub_command").order_by("pk"):
        for cell in Grid.objects.filter(level=2, geom__intersects=zone.geom).order_by("code"):
            point = cell.geom.point_on_surface
            if zone.geom.contains(point) and officer_of(cell.code) is not None:
                return zone, cell, (point.x, point.y)
    pytest.fail("no zone in normal state holds a level-II cell's point")


def test_a_report_changes_the_picture_its_zone_and_only_its_parts(command, event):
    first = command.get(SITUATION)
    assert first.status_code == 200
    body = first.json()
    assert set(body["parts"]) == {"stations", "reports", "dispatches", "hazards", "zones", "zone_states"}
    assert body["kept"] == []
    outline = next(f for f in body["parts"]["zones"]["features"] if f["id"] == FloodZone.objects.order_by("pk")[0].pk)
    assert outline["geometry"]["type"] in ("Polygon", "MultiPolygon") and outline["properties"]["name"]
    assert command.get(SITUATION, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    zone, cell, (lon, lat) = quiet_zone_and_cell(command)
    officer = officer_of(cell.code)
    report = token(officer).post("/api/flood/situation-reports/", {
        "kind": "breach", "severity": "critical", "description": "堤防出现决口迹象", "lon": lon, "lat": lat,
        "client_id": str(uuid.uuid4())}, format="multipart")
    assert report.status_code == 201, report.json()
    report_id = report.json()["id"]

    changed = command.get(SITUATION, {"known": known(body)}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    data = changed.json()
    # Only what the report touches is sent again; the rest is kept by the map.
    assert set(data["parts"]) == {"reports", "zone_states"}
    assert set(data["kept"]) == {"stations", "dispatches", "hazards", "zones"}
    feature = next(f for f in data["parts"]["reports"]["features"] if f["id"] == report_id)
    assert feature["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    props = feature["properties"]
    assert (props["severity"], props["severity_name"], props["kind_name"], props["event_id"]) == \
        ("critical", "严重", "决口/溃堤", event.pk)
    assert props["reporter_name"] == (officer.full_name or officer.username)
    row = zone_row(data, zone.pk)
    assert (row["state"], row["state_name"], row["reports"], row["reports_critical"]) == ("danger", "危险", 1, 1)
    assert command.get(SITUATION, {"known": known(data)}, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304

    # A general report alone makes a zone `warning`; when its event closes and it is old, it leaves.
    SituationReport.objects.filter(pk=report_id).update(severity="general")
    assert zone_state(command.get(SITUATION, {"parts": "zone_states"}).json(), zone.pk) == "warning"
    Event.objects.filter(pk=event.pk).update(ended_at=timezone.now(), summary="测试结束")
    SituationReport.objects.filter(pk=report_id).update(reported_at=timezone.now() - dt.timedelta(days=3))
    later = command.get(SITUATION, {"parts": "reports,zone_states"}).json()
    assert report_id not in [f["id"] for f in later["parts"]["reports"]["features"]]
    assert zone_state(later, zone.pk) == "normal"


def test_a_station_in_danger_makes_its_zone_danger(command):
    body = command.get(SITUATION, {"parts": "zone_states"}).json()
    quiet = [row["id"] for row in body["parts"]["zone_states"] if row["state"] == "normal"]
    zone = FloodZone.objects.filter(pk__in=quiet).order_by("pk").first()
    Station.objects.create(code="LIVE-W1", name="实时图测试水位站", kind="water_level",
                           location=zone.geom.point_on_surface, warning_level=5.0, guarantee_level=6.0)
    gauge = token(user("gauge"))
    for value, state in ((5.5, "warning"), (6.4, "danger"), (4.0, "normal")):
        response = gauge.post("/api/flood/readings/", {"readings": [
            {"station": "LIVE-W1", "time": timezone.now().isoformat(), "value": value}]}, format="json")
        assert response.status_code == 200
        props = zone_row(command.get(SITUATION, {"parts": "zone_states"}).json(), zone.pk)
        assert props["state"] == state, value
        assert props["stations_danger"] == (state == "danger") and props["stations_warning"] == (state == "warning")


def test_a_dispatch_and_its_recall_change_the_picture(command, event):
    first = command.get(SITUATION)
    body = first.json()
    item = StockItem.objects.filter(quantity__gte=5).order_by("id").first()
    out = TeamDeployment.objects.filter(recalled_at__isnull=True).values("team_id")
    team = RescueTeam.objects.exclude(pk__in=out).order_by("id").first()
    response = command.post(f"/api/flood/events/{event.pk}/dispatches/", {
        "depot": item.depot_id, "items": [{"item_code": item.code, "quantity": 2}], "teams": [team.pk],
        "to": {"lon": 116.95, "lat": 38.93}, "client_id": str(uuid.uuid4())}, format="json")
    assert response.status_code == 201, response.json()
    changed = command.get(SITUATION, {"known": known(body)}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    data = changed.json()
    assert "dispatches" in data["parts"] and "hazards" in data["kept"]
    feature = next(f for f in data["parts"]["dispatches"]["features"] if f["id"] == response.json()["id"])
    props = feature["properties"]
    depot = item.depot.location
    assert (props["state"], props["depot_lon"], props["depot_lat"]) == ("deployed", pytest.approx(depot.x),
                                                                        pytest.approx(depot.y))
    assert item.name in props["items_text"] and team.name in props["teams_text"]
    # A recall alone (a TeamDeployment row) changes the dispatch's state on the map.
    TeamDeployment.objects.filter(dispatch_id=feature["id"]).update(recalled_at=timezone.now())
    after = command.get(SITUATION, {"known": known(data)}, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert after.status_code == 200
    props = next(f for f in after.json()["parts"]["dispatches"]["features"] if f["id"] == feature["id"])["properties"]
    assert props["state"] == "done"


def test_an_open_hazard_changed_in_inspections_changes_the_picture(command):
    first = command.get(SITUATION, {"parts": "hazards"})
    features = first.json()["parts"]["hazards"]["features"]
    hazard = Hazard.objects.filter(status__in=OPEN_HAZARD_STATUSES, location__isnull=False).order_by("id").first()
    assert hazard.pk in [f["id"] for f in features]
    Hazard.objects.filter(pk=hazard.pk).update(status="dismissed", dismissal_reason="实时图测试")
    changed = command.get(SITUATION, {"parts": "hazards"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert hazard.pk not in [f["id"] for f in changed.json()["parts"]["hazards"]["features"]]


def test_the_parts_are_for_flood_command_only():
    assert token(user("officer0001")).get(SITUATION, {"parts": "reports"}).status_code == 403
    assert token(user("gauge")).get(SITUATION, {"parts": "hazards"}).status_code == 403


def test_the_state_views_window_is_the_rain_window():
    with connection.cursor() as cursor:
        cursor.execute("SELECT definition FROM pg_views WHERE viewname = 'flood_stationstate'")
        definition = cursor.fetchone()[0]
    hours = int(RAIN_WINDOW.total_seconds() // 3600)
    assert f"'{hours:02d}:00:00'::interval" in definition
