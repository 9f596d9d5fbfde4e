"""The flood-command desk (gridmap/workspaces/flood): the impact page, its PDF and API with
the open hazards composed in, the forms of its actions, and who may use it."""

import json

import pytest
from django.test import Client
from shapely.geometry import Point, shape

from gridmap.flood.models import FloodZone, PreFloodTask, StockItem, StockMovement
from gridmap.flood.selectors import ImpactQuery, impact
from gridmap.geo.polygons import polygon_input
from gridmap.workspaces.flood.impact import impact_with_open_hazards
from tests.factories import officer_of
from tests.flood.test_flood import DRAWN, SMALL, api, user

pytestmark = pytest.mark.django_db


def test_zone_impact_api_and_pages():
    zone = FloodZone.objects.get(name="贾口洼蓄滞洪区")
    body = api("supervisor").get("/api/flood/exposure/", {"zone": zone.pk}).json()
    assert body["zone"]["name"] == "贾口洼蓄滞洪区" and body["totals"]["enterprises"] > 0
    assert [d["distance_m"] for d in body["depots"]] == sorted(d["distance_m"] for d in body["depots"])
    client = Client()
    client.force_login(user("flood"))
    page = client.get("/flood/exposure/", {"zone": zone.pk})
    assert page.status_code == 200 and "应通知人员" in page.content.decode()
    pdf = client.get("/flood/exposure.pdf", {"geometry": json.dumps(SMALL)})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    stock = client.get("/flood/stock/", {"low": "1"}).content.decode()
    assert "低于最低储备" in stock and "陈官屯镇防汛物资仓库" in stock


@pytest.mark.parametrize("payload", [
    {}, {"geometry": {"type": "Point", "coordinates": [116.9, 38.9]}},
    {"geometry": {"type": "Polygon", "coordinates": [[[1, 2]]]}},
    {"geometry": {"type": "Polygon", "coordinates": "x"}},
    {"geometry": {"type": "Polygon", "coordinates": [[[500, 38], [501, 38], [501, 39], [500, 38]]]}},
    {"geometry": DRAWN, "crs": "mars"}, {"geometry": DRAWN, "zone": 1},
    {"geometry": {"type": "Polygon", "coordinates": [[[100, 30], [130, 30], [130, 45], [100, 30]]]}},
])
def test_bad_areas_are_refused_with_400(payload):
    assert api("flood").post("/api/flood/exposure/", payload, format="json").status_code == 400


FLOOD_PAGES = ("/flood/", "/flood/stock/", "/flood/duty/", "/flood/exposure/?zone={zone}",
               "/flood/exposure.pdf?zone={zone}")


@pytest.mark.parametrize("username,allowed", [("flood", True), ("supervisor", True), ("admin", True),
                                              ("officer", False), ("head01", False)])
def test_only_flood_command_supervisors_and_admins(username, allowed):
    person = officer_of("120118107-001") if username == "officer" else user(username)
    zone = FloodZone.objects.order_by("pk").first()
    client = Client()
    client.force_login(person)
    for url in FLOOD_PAGES[:3] if allowed else FLOOD_PAGES:
        assert client.get(url.format(zone=zone.pk)).status_code == (200 if allowed else 403), url
    from rest_framework.test import APIClient

    rest = APIClient()
    rest.force_authenticate(person)
    assert rest.get("/api/flood/exposure/", {"zone": zone.pk}).status_code == (200 if allowed else 403)
    for layer in ("flood-zones", "flood-basins", "depots", "pumping-stations", "rescue-teams"):
        response = rest.get(f"/api/layers/{layer}.geojson")
        assert response.status_code == (200 if allowed else 404), layer
    if not allowed:
        item = StockItem.objects.first()
        before = item.quantity
        assert client.post(f"/flood/stock/{item.pk}/move/", {"kind": "issue", "quantity": 1}).status_code == 403
        assert client.post(f"/flood/zones/{zone.pk}/tasks/", {"due_date": "2030-01-01"}).status_code == 403
        item.refresh_from_db()
        assert item.quantity == before and not PreFloodTask.objects.filter(zone=zone).exists()


def test_open_hazards_in_the_area_are_listed_and_closed_ones_are_not():
    from gridmap.inspections.models import OPEN_HAZARD_STATUSES, Hazard

    polygon = shape(DRAWN)
    # Open: neither closed nor a lead (隐患线索) not yet confirmed, nor a dismissed one.
    inside = [h for h in Hazard.objects.select_related("enterprise").filter(status__in=OPEN_HAZARD_STATUSES)
              if polygon.intersects(Point(*(h.location or h.enterprise.location).coords))]
    result = impact_with_open_hazards(user("flood"), ImpactQuery(area=polygon_input(DRAWN)))
    assert inside and {h["id"] for h in result["open_hazards"]} == {h.pk for h in inside}
    assert result["totals"]["open_hazards"] == len(inside)
    # Overdue hazards lead the list.
    flags = [h["overdue"] for h in result["open_hazards"]]
    assert flags == sorted(flags, reverse=True)
    closed = Hazard.objects.filter(status="closed").select_related("enterprise")
    assert not {h.pk for h in closed} & {h["id"] for h in result["open_hazards"]}
    client = Client()
    client.force_login(user("flood"))
    page = client.get("/flood/exposure/", {"geometry": json.dumps(DRAWN)}).content.decode()
    assert "未销号隐患" in page and inside[0].enterprise.name in page


def test_flood_alone_knows_nothing_of_hazards_and_the_desk_adds_them():
    query = ImpactQuery(area=polygon_input(DRAWN))
    alone = impact(user("flood"), query)
    composed = impact_with_open_hazards(user("flood"), query)
    assert "open_hazards" not in alone and "open_hazards" not in alone["totals"]
    assert composed["open_hazards"] and composed["enterprises"] == alone["enterprises"]


def test_stock_move_form_refuses_bad_input_and_changes_nothing():
    item = StockItem.objects.order_by("pk").first()
    before, moves = item.quantity, StockMovement.objects.count()
    client = Client()
    client.force_login(user("flood"))
    for data, refusal in (({"kind": "steal", "quantity": 1}, "未知操作"),
                          ({"kind": "issue", "quantity": "many"}, "数量必须是正整数"),
                          ({"kind": "receive", "quantity": 0}, "数量必须是正整数"),
                          ({"kind": "receive", "quantity": 1, "note": "x" * 201}, "事由不能超过 200 字")):
        response = client.post(f"/flood/stock/{item.pk}/move/", data)
        assert response.status_code == 400 and f"未保存：{refusal}" in response.content.decode(), data
    item.refresh_from_db()
    assert item.quantity == before and StockMovement.objects.count() == moves
    page = client.post(f"/flood/stock/{item.pk}/move/", {"kind": "receive", "quantity": 3, "note": " 补充 "},
                       follow=True).content.decode()
    item.refresh_from_db()
    assert item.quantity == before + 3 and f"结存 {before + 3}" in page
    assert StockMovement.objects.order_by("-pk").first().note == "补充"


def test_zone_tasks_form_refuses_a_missing_date():
    zone = FloodZone.objects.order_by("pk").first()
    client = Client()
    client.force_login(user("flood"))
    page = client.post(f"/flood/zones/{zone.pk}/tasks/", {"due_date": "soon"}, follow=True).content.decode()
    assert "请填写有效的完成期限" in page and not PreFloodTask.objects.filter(zone=zone).exists()


@pytest.mark.parametrize("query", [{}, {"zone": "x"}, {"zone": 1, "k": 99}])
def test_impact_page_refuses_bad_queries_with_404(query):
    client = Client()
    client.force_login(user("flood"))
    assert client.get("/flood/exposure/", query).status_code == 404


@pytest.mark.parametrize("query,field", [({"geometry": "{"}, "geometry"),
                                         ({"geometry": json.dumps(DRAWN), "crs": "mars"}, "crs")])
def test_impact_page_refuses_a_bad_area_with_400_naming_the_field(query, field):
    client = Client()
    client.force_login(user("flood"))
    response = client.get("/flood/exposure/", query)
    assert response.status_code == 400 and response.content.decode().startswith(f"{field}：")
