"""Storm events (issue 17 parts 4–7): the level, consultations, roll calls, dispatches through
the stock ledger and officers' situation reports, all in the event's timeline; scope and who
may command."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from pyproj import Geod
from rest_framework.test import APIClient

from gridmap.accounts.services import device_token_create
from gridmap.flood.events.models import (
    DutyPost,
    Event,
    LevelChange,
    RollCallAnswer,
    SituationReport,
    TeamDeployment,
)
from gridmap.flood.models import RescueTeam, StockItem, StockMovement
from gridmap.grids.models import Grid
from gridmap.grids.scope import scope_for
from tests.conftest import table_checksum
from tests.factories import inside, officer_of, png_upload

pytestmark = pytest.mark.django_db
GEOD = Geod(ellps="WGS84")


def user(name):
    return get_user_model().objects.get(username=name)


def session(name) -> APIClient:
    client = APIClient()
    client.force_authenticate(user(name) if isinstance(name, str) else name)
    return client


def token(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {device_token_create(user=person)[1]}")
    return client


def free_team() -> RescueTeam:
    out = TeamDeployment.objects.filter(recalled_at__isnull=True).values("team_id")
    return RescueTeam.objects.exclude(pk__in=out).order_by("id").first()


@pytest.fixture
def flood():
    return session("flood")


@pytest.fixture
def event(flood):
    response = flood.post("/api/flood/events/", {
        "name": "2019年第9号台风利奇马（测试）", "kind": "typhoon", "level": 4,
        "started_at": (timezone.now() - dt.timedelta(hours=6)).isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    return Event.objects.get(pk=response.json()["id"])


def timeline(client, event) -> list[dict]:
    response = client.get(f"/api/flood/events/{event.pk}/")
    assert response.status_code == 200
    return response.json()["timeline"]


def test_raising_the_level_is_timed_by_whom_and_in_the_timeline(flood, event):
    response = flood.post(f"/api/flood/events/{event.pk}/level/", {"level": 2, "reason": "24 小时雨量超 100 mm"},
                          format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["level"] == 2 and response.json()["level_name"] == "Ⅱ级"
    changes = list(LevelChange.objects.filter(event=event)
                   .values_list("from_level", "to_level", "changed_by__username"))
    assert changes == [(None, 4, "flood"), (4, 2, "flood")]
    entries = [e for e in timeline(flood, event) if e["kind"] == "level_change"]
    assert [e["details"]["to_level"] for e in entries] == [4, 2]
    assert entries[1]["details"]["raised"] and entries[1]["who"] and "Ⅳ级 → Ⅱ级" in entries[1]["text"]
    # The same level again is refused in Chinese and changes nothing.
    again = flood.post(f"/api/flood/events/{event.pk}/level/", {"level": 2}, format="json")
    assert again.status_code == 400 and "Ⅱ级" in str(again.json())
    assert LevelChange.objects.filter(event=event).count() == 2


def test_event_in_the_audit_history(flood, event):
    from gridmap.core.history import history_of

    flood.post(f"/api/flood/events/{event.pk}/level/", {"level": 3}, format="json")
    entries = history_of(Event.objects.get(pk=event.pk))
    assert any(e.action == "调整响应级别" for e in entries)


def test_consultation_and_order_in_the_timeline(flood, event):
    response = flood.post(f"/api/flood/events/{event.pk}/consultations/", {
        "topic": "利奇马防御部署", "attendees": "区应急局、区水务局、区气象局",
        "decisions": "启动Ⅲ级响应，转移低洼群众"},
        format="json")
    assert response.status_code == 201
    assert flood.post(f"/api/flood/events/{event.pk}/orders/", {
        "recipients": "各镇", "content": "24 小时值守"}, format="json").status_code == 201
    kinds = [e["kind"] for e in timeline(flood, event)]
    assert "consultation" in kinds and "order" in kinds
    bad = flood.post(f"/api/flood/events/{event.pk}/consultations/", {"topic": "x", "attendees": " ", "decisions": "y"},
                     format="json")
    assert bad.status_code == 400


def test_roll_call_with_unanswered_posts_and_a_second_round(flood, event):
    response = flood.post(f"/api/flood/events/{event.pk}/roll-calls/")
    assert response.status_code == 201, response.json()
    data = response.json()
    level1 = Grid.objects.filter(level=1).count()
    departments = DutyPost.objects.filter(kind="department", active=True).count()
    assert level1 == 23 and departments > 0
    assert data["total"] == level1 + departments and data["unanswered"] == data["total"]
    first, second = data["posts"][0], data["posts"][1]
    answer = flood.post(f"/api/flood/events/{event.pk}/roll-calls/{data['id']}/answers/",
                        {"post": first["post"], "answerer": "王值班"}, format="json")
    assert answer.status_code == 200
    after = answer.json()
    assert after["answered"] == 1 and after["unanswered"] == data["total"] - 1
    # Unanswered first: the answered post went to the end of the list.
    assert after["posts"][-1]["post"] == first["post"] and not after["posts"][0]["answered"]
    repeat = flood.post(f"/api/flood/events/{event.pk}/roll-calls/{data['id']}/repeat/")
    assert repeat.status_code == 200 and repeat.json()["rounds"] == 2
    rows = {a.post_id: a.last_called_round for a in RollCallAnswer.objects.filter(roll_call_id=data["id"])}
    assert rows[first["post"]] == 1 and rows[second["post"]] == 2
    entries = [e for e in timeline(flood, event) if e["kind"] == "roll_call"]
    assert [e["details"]["round"] for e in entries] == [1, 2]
    assert entries[1]["details"]["unanswered"] == data["total"] - 1
    # The map layer colours the level-I grids: one answered (if it was a grid post), the rest not.
    layer = flood.get("/api/layers/roll-call.geojson", {"roll_call": data["id"]}).json()
    states = [f["properties"]["state"] for f in layer["features"]]
    assert len(states) == level1 and states.count("unanswered") >= level1 - 1


def test_a_dispatch_lowers_the_depots_stock_by_exactly_what_was_sent(flood, event):
    item = StockItem.objects.filter(quantity__gte=10).select_related("depot").order_by("id").first()
    team = free_team()
    before = item.quantity
    lon, lat = 116.95, 38.93
    response = flood.post(f"/api/flood/events/{event.pk}/dispatches/", {
        "depot": item.depot_id, "items": [{"item_code": item.code, "quantity": 7}], "teams": [team.pk],
        "to": {"lon": lon, "lat": lat}, "client_id": str(uuid.uuid4())}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    item.refresh_from_db()
    assert item.quantity == before - 7
    movement = StockMovement.objects.get(dispatch_id=body["id"])
    assert (movement.kind, movement.quantity, movement.event_id) == ("issue", 7, event.pk)
    # The distance is the geodesic one (PostGIS geography) against pyproj's.
    _, _, expected = GEOD.inv(team.base.x, team.base.y, lon, lat)
    assert abs(body["teams"][0]["distance_m"] - expected) < 1
    assert TeamDeployment.objects.filter(team=team, recalled_at__isnull=True).exists()
    depots = flood.get("/api/flood/depots/").json()
    stock = next(f for f in depots["features"] if f["id"] == item.depot_id)["properties"]["stock"]
    assert {"item_code": item.code, "name": item.name, "quantity": before - 7,
            "minimum": item.minimum}.items() <= next(s for s in stock if s["item_code"] == item.code).items()
    entry = next(e for e in timeline(flood, event) if e["kind"] == "dispatch")
    assert entry["details"]["items"][0]["quantity"] == 7 and entry["details"]["teams"][0]["id"] == team.pk
    # The same client_id again is the same dispatch, stock untouched.
    again = flood.post(f"/api/flood/events/{event.pk}/dispatches/", {
        "depot": item.depot_id, "items": [{"item_code": item.code, "quantity": 7}], "teams": [team.pk],
        "to": {"lon": lon, "lat": lat}, "client_id": body["client_id"]}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    item.refresh_from_db()
    assert item.quantity == before - 7
    # A team out cannot be sent twice; recalled, it can.
    busy = flood.post(f"/api/flood/events/{event.pk}/dispatches/", {
        "depot": item.depot_id, "teams": [team.pk], "to": {"lon": lon, "lat": lat}}, format="json")
    assert busy.status_code == 400 and "已出动" in str(busy.json())
    recall = flood.post(f"/api/flood/events/{event.pk}/dispatches/{body['id']}/recall/", {}, format="json")
    assert recall.status_code == 200 and recall.json()["teams"][0]["deployed"] is False
    assert "recall" in [e["kind"] for e in timeline(flood, event)]
    layer = flood.get("/api/layers/dispatches.geojson", {"event": event.pk}).json()
    assert [f["id"] for f in layer["features"]] == [body["id"]]


def test_a_dispatch_that_would_go_negative_is_refused_naming_the_item_and_writes_nothing(flood, event):
    item = StockItem.objects.filter(quantity__gte=1).select_related("depot").order_by("id").first()
    other = StockItem.objects.filter(depot=item.depot, quantity__gte=1).exclude(pk=item.pk).first()
    team = free_team()
    tables = ("flood_stockitem", "flood_stockmovement", "flood_dispatch", "flood_teamdeployment")
    before = table_checksum(*tables)
    response = flood.post(f"/api/flood/events/{event.pk}/dispatches/", {
        "depot": item.depot_id, "teams": [team.pk], "to": {"lon": 116.95, "lat": 38.93},
        "items": [{"item_code": other.code, "quantity": 1}, {"item_code": item.code, "quantity": item.quantity + 1}]},
        format="json")
    assert response.status_code == 400
    message = str(response.json())
    assert item.name in message and "库存不足" in message and "第 2 项" in message
    assert table_checksum(*tables) == before


def test_an_officers_situation_report_by_token_joins_the_open_event(flood, event):
    cell = Grid.objects.filter(level=2).order_by("code").first()
    officer = officer_of(cell.code)
    lon, lat = inside(cell.code)
    client = token(officer)
    client_id = str(uuid.uuid4())
    payload = {"kind": "waterlogging", "severity": "serious", "description": "村口积水 40 厘米",
               "lon": lon, "lat": lat, "client_id": client_id, "photos": [png_upload()]}
    response = client.post("/api/flood/situation-reports/", payload, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["event"] == event.pk and len(response.json()["photos"]) == 1
    again = client.post("/api/flood/situation-reports/", {**payload, "photos": [png_upload()]}, format="multipart")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert SituationReport.objects.filter(reporter=officer, client_id=client_id).count() == 1
    entry = next(e for e in timeline(flood, event) if e["kind"] == "situation_report")
    assert entry["details"]["cell"] == cell.code and "村口积水" in entry["text"]
    layer = flood.get("/api/layers/situation_reports.geojson", {"event": event.pk}).json()
    assert [f["id"] for f in layer["features"]] == [response.json()["id"]]
    # The officer sees their own cell's report, not the event.
    assert client.get(f"/api/flood/events/{event.pk}/").status_code == 403
    seen = client.get("/api/flood/situation-reports/").json()["results"]
    mine = set(scope_for(officer).cells().values_list("code", flat=True))
    assert response.json()["id"] in [r["id"] for r in seen] and {r["cell"] for r in seen} <= mine


def test_an_officer_cannot_report_outside_their_cell(event):
    cell = Grid.objects.filter(level=2).order_by("code").first()
    officer = officer_of(cell.code)
    elsewhere = Grid.objects.filter(level=2).exclude(parent=cell.parent).order_by("code").first()
    lon, lat = inside(elsewhere.code)
    before = SituationReport.objects.filter(reporter=officer).count()
    response = token(officer).post("/api/flood/situation-reports/", {
        "kind": "breach", "description": "堤防决口", "lon": lon, "lat": lat}, format="json")
    assert response.status_code == 403
    assert SituationReport.objects.filter(reporter=officer).count() == before
    # Nor see another cell's report.
    other = officer_of(elsewhere.code)
    theirs = token(other).post("/api/flood/situation-reports/", {
        "kind": "breach", "description": "堤防渗水", "lon": lon, "lat": lat}, format="json")
    assert theirs.status_code == 201
    assert token(officer).get(f"/api/flood/situation-reports/{theirs.json()['id']}/").status_code == 404


def test_a_report_goes_to_the_event_whose_area_holds_it(flood):
    from django.contrib.gis.geos import MultiPolygon

    from gridmap.flood.events.services import event_open

    cells = list(Grid.objects.filter(level=2).order_by("code")[:40])
    here, there = cells[0], next(c for c in cells if not c.geom.intersects(cells[0].geom))
    start = timezone.now() - dt.timedelta(hours=1)
    wide = event_open(actor=user("flood"), name="全区暴雨", kind="rainstorm", started_at=start)
    local = event_open(actor=user("flood"), name="局地内涝", kind="rainstorm", started_at=start,
                       area=MultiPolygon(there.geom[0], srid=4326))
    for cell, expected in ((there, local), (here, wide)):
        lon, lat = inside(cell.code)
        response = token(officer_of(cell.code)).post("/api/flood/situation-reports/", {
            "kind": "waterlogging", "description": "积水", "lon": lon, "lat": lat}, format="json")
        assert response.status_code == 201 and response.json()["event"] == expected.pk


@pytest.mark.parametrize("path,body", [
    ("/api/flood/events/", {"name": "x", "kind": "typhoon"}),
    ("/api/flood/events/{id}/level/", {"level": 1}),
    ("/api/flood/events/{id}/roll-calls/", {}),
    ("/api/flood/events/{id}/dispatches/", {"depot": 1, "teams": [1], "to": {"lon": 117, "lat": 38.9}}),
    ("/api/flood/events/{id}/close/", {"summary": "结束"}),
])
def test_only_flood_command_runs_an_event(event, path, body):
    officer = officer_of(Grid.objects.filter(level=2).order_by("code").first().code)
    before = table_checksum("flood_event", "flood_levelchange", "flood_rollcall", "flood_dispatch")
    for who in (officer, user("enterprise_demo") if get_user_model().objects.filter(
            username="enterprise_demo").exists() else officer):
        response = token(who).post(path.format(id=event.pk), body, format="json")
        assert response.status_code == 403
        assert "防汛" in str(response.json())
    assert table_checksum("flood_event", "flood_levelchange", "flood_rollcall", "flood_dispatch") == before
    assert token(officer).get("/api/flood/depots/").status_code == 403


def test_closing_needs_a_summary_and_ends_the_timeline(flood, event):
    assert flood.post(f"/api/flood/events/{event.pk}/close/", {"summary": "  "}, format="json").status_code == 400
    response = flood.post(f"/api/flood/events/{event.pk}/close/", {"summary": "无人员伤亡，转移群众 1,200 人"},
                          format="json")
    assert response.status_code == 200 and response.json()["open"] is False
    assert response.json()["timeline"][-1]["kind"] == "closed"
    late = flood.post(f"/api/flood/events/{event.pk}/orders/", {"recipients": "各镇", "content": "x"}, format="json")
    assert late.status_code == 400 and "已结束" in str(late.json())


def test_an_event_takes_a_zone_or_a_drawn_area(flood):
    from gridmap.flood.models import FloodZone

    zone = FloodZone.objects.get(name="贾口洼蓄滞洪区")
    by_zone = flood.post("/api/flood/events/", {"name": "蓄滞洪区分洪", "kind": "flood", "zone": zone.pk},
                         format="json")
    assert by_zone.status_code == 201 and by_zone.json()["area"] is not None
    assert Event.objects.get(pk=by_zone.json()["id"]).area.equals(zone.geom)
    drawn = {"type": "Polygon", "coordinates": [[[116.9, 38.9], [117.0, 38.9], [117.0, 38.95], [116.9, 38.9]]]}
    assert flood.post("/api/flood/events/", {"name": "局地", "kind": "rainstorm", "area": drawn},
                      format="json").status_code == 201
    both = flood.post("/api/flood/events/", {"name": "x", "kind": "rainstorm", "area": drawn, "zone": zone.pk},
                      format="json")
    assert both.status_code == 400
    bad = flood.post("/api/flood/events/", {"name": "x", "kind": "rainstorm", "area": {"type": "Point"}}, format="json")
    assert bad.status_code == 400 and "area" in bad.json()
