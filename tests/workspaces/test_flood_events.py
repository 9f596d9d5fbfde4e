"""The event pages (/flood/events/) and the briefing PDFs with their server-drawn map: forms
in, services out, refusals in Chinese that change nothing, flood command only."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gridmap.flood.events.models import Event, LevelChange, RollCallAnswer
from gridmap.flood.models import FloodZone, StockItem
from gridmap.workspaces.flood.briefing import area_map_svg
from tests.conftest import table_checksum
from tests.factories import officer_of
from tests.flood.test_flood import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def web():
    client = Client()
    client.force_login(user("flood"))
    return client


def open_event(web) -> Event:
    response = web.post("/flood/events/", {"name": "暴雨（页面测试）", "kind": "rainstorm", "level": "4",
                                           "started_at": ""})
    assert response.status_code == 302
    return Event.objects.get(name="暴雨（页面测试）")


def test_the_lekima_sample_event():
    event = Event.objects.get(name="2019年第9号台风利奇马")
    assert not event.is_open and event.summary.startswith("（示意数据）")
    assert list(event.level_changes.values_list("to_level", flat=True)) == [4, 3, 2, 4]
    assert event.consultations.count() == 2 and event.dispatches.count() == 1 and event.reports.count() >= 3
    roll_call = event.roll_calls.get()
    assert roll_call.rounds == 2 and roll_call.answers.filter(answered_at__isnull=True).count() == 1


def test_open_raise_consult_roll_call_and_close_through_the_pages(web):
    assert "2019年第9号台风利奇马" in web.get("/flood/events/").content.decode()
    event = open_event(web)
    page = web.get(f"/flood/events/{event.pk}/")
    assert page.status_code == 200 and "Ⅳ级" in page.content.decode()
    raised = web.post(f"/flood/events/{event.pk}/level/", {"level": "2", "reason": "雨量超过 100 毫米"})
    assert raised.status_code == 302
    assert LevelChange.objects.filter(event=event).count() == 2
    assert web.post(f"/flood/events/{event.pk}/consultations/", {
        "topic": "防御会商", "attendees": "区水务局", "decisions": "转移群众", "held_at": ""}).status_code == 302
    assert web.post(f"/flood/events/{event.pk}/roll-calls/").status_code == 302
    roll_call = event.roll_calls.get()
    first = roll_call.answers.order_by("post__name").first()
    assert web.post(f"/flood/events/{event.pk}/roll-calls/{roll_call.pk}/answers/",
                    {"post": first.post_id, "answerer": "张三"}).status_code == 302
    html = web.get(f"/flood/events/{event.pk}/").content.decode()
    unanswered = RollCallAnswer.objects.filter(roll_call=roll_call, answered_at__isnull=True).count()
    assert html.count('class="unanswered"') == unanswered and f"未应答 {unanswered}" in html
    assert web.post(f"/flood/events/{event.pk}/roll-calls/{roll_call.pk}/repeat/").status_code == 302
    timeline = re.findall(r'data-kind="(\w+)"', web.get(f"/flood/events/{event.pk}/").content.decode())
    assert timeline[0] == "opened" and {"level_change", "consultation", "roll_call"} <= set(timeline)
    pdf = web.get(f"/flood/events/{event.pk}/briefing.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert web.post(f"/flood/events/{event.pk}/close/", {"summary": "结束"}).status_code == 302
    event.refresh_from_db()
    assert not event.is_open


def test_a_refused_dispatch_shows_the_reason_and_writes_nothing(web):
    event = open_event(web)
    item = StockItem.objects.filter(quantity__gte=1).order_by("-pk").first()
    before = table_checksum("flood_stockitem", "flood_stockmovement", "flood_dispatch")
    response = web.post(f"/flood/events/{event.pk}/dispatches/", {
        "depot": item.depot_id, "item_0": item.code, "quantity_0": item.quantity + 1, "lon": "116.95",
        "lat": "38.93", "crs": "wgs84"})
    assert response.status_code == 400
    assert "库存不足" in response.content.decode() and item.name in response.content.decode()
    assert table_checksum("flood_stockitem", "flood_stockmovement", "flood_dispatch") == before
    sent = web.post(f"/flood/events/{event.pk}/dispatches/", {
        "depot": item.depot_id, "item_0": item.code, "quantity_0": 1, "lon": "116.95", "lat": "38.93",
        "crs": "wgs84"})
    assert sent.status_code == 302
    quantity = item.quantity
    item.refresh_from_db()
    assert item.quantity == quantity - 1


def test_event_pages_are_for_flood_command_only():
    event = Event.objects.get(name="2019年第9号台风利奇马")
    client = Client()
    client.force_login(officer_of("120118107-001"))
    for url in ("/flood/events/", f"/flood/events/{event.pk}/", f"/flood/events/{event.pk}/briefing.pdf"):
        assert client.get(url).status_code == 403
    assert client.post(f"/flood/events/{event.pk}/roll-calls/").status_code == 403


def test_the_zone_briefing_pdf_has_its_map(web):
    zone = FloodZone.objects.get(name="贾口洼蓄滞洪区")
    pdf = web.get("/flood/exposure.pdf", {"zone": zone.pk})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_map_marks_hazardous_chemical_sites_and_keeps_points_in_the_frame():
    zone = FloodZone.objects.get(name="贾口洼蓄滞洪区")
    inside = zone.geom.point_on_surface
    enterprises = [{"lon": inside.x, "lat": inside.y, "hazardous_chemicals": True, "risk_level": "major"},
                   {"lon": inside.x + 0.001, "lat": inside.y, "hazardous_chemicals": False, "risk_level": "low"}]
    reports = [{"lon": inside.x, "lat": inside.y + 0.001, "severity": "critical"},
               {"lon": 120.0, "lat": 30.0, "severity": "critical"}]  # far away: not drawn
    svg = area_map_svg(area=zone.geom, title=zone.name, enterprises=enterprises,
                       depots=[{"lon": inside.x, "lat": inside.y - 0.001}], reports=reports)
    assert svg.startswith("<svg") and "涉危化品企业" in svg and "防汛物资仓库" in svg and "险情（严重）" in svg
    assert svg.count('<path d="M') >= 2  # the zone's outline and at least one grid, drawn by PostGIS
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)
    assert len(circles) == 2 + 2  # the ordinary enterprise and one report, plus two legend swatches
    for x, y in circles:
        assert 0 <= float(x) <= 680 and 0 <= float(y) <= 480
