"""Flood command: the impact analysis (影响分析) against independent geometry (shapely, pyproj.Geod), the 2019
stock figures, the stock ledger (refusals, two issues at once), tasks, and who may see it."""


import numpy as np
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from pyproj import Geod
from shapely.geometry import Point, shape

from gridmap.enterprises.models import Enterprise, RiskPoint
from gridmap.flood.models import FloodZone, PreFloodTask, StockItem, StockMovement, SupplyDepot
from gridmap.flood.selectors import ImpactQuery, impact
from gridmap.flood.services import preflood_tasks_create, stock_issue, stock_receive
from gridmap.geo.coords import wgs84_to_gcj02
from gridmap.geo.polygons import polygon_input
from tests.security.test_concurrency import run_together

pytestmark = pytest.mark.django_db
GEOD = Geod(ellps="WGS84")
# An irregular (concave) flood area across the town of Jinghai and the 南运河.
DRAWN = {"type": "Polygon", "coordinates": [[
    [116.88, 38.90], [116.99, 38.88], [117.02, 38.95], [116.96, 38.93], [116.93, 38.99],
    [116.87, 38.97], [116.88, 38.90]]]}
SMALL = {"type": "Polygon", "coordinates": [[
    [116.80, 38.70], [116.82, 38.70], [116.82, 38.715], [116.80, 38.715], [116.80, 38.70]]]}


def user(name):
    return get_user_model().objects.get(username=name)


def api(name):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user(name))
    return client


def test_drawn_polygon_matches_shapely_point_in_polygon():
    result = impact(user("flood"), ImpactQuery(area=polygon_input(DRAWN)))
    polygon = shape(DRAWN)
    expected = {pk for pk, loc in Enterprise.objects.exclude(status="closed").values_list("id", "location")
                if polygon.intersects(Point(loc.x, loc.y))}
    assert expected and {e["id"] for e in result["enterprises"]} == expected
    assert result["totals"]["enterprises"] == len(expected)
    hazardous = {pk for pk in expected if Enterprise.objects.get(pk=pk).hazardous_chemicals}
    assert result["totals"]["hazardous"] == len(hazardous)
    # Hazardous-chemical enterprises come first.
    flags = [e["hazardous_chemicals"] for e in result["enterprises"]]
    assert flags == sorted(flags, reverse=True)
    points = [(rp.location, rp.enterprise_id) for rp in RiskPoint.objects.exclude(enterprise__status="closed")]
    expected_points = sum(1 for loc, owner in points
                          if (loc is not None and polygon.intersects(shapely.from_wkb(bytes(loc.wkb))))
                          or (loc is None and owner in expected))
    assert result["totals"]["risk_points"] == expected_points
    # Level-II rows add up to their level-I subtotal, which add up to the total.
    cells = [g for g in result["grids"] if g["rollup"] == 0]
    towns = [g for g in result["grids"] if g["rollup"] == 1]
    for town in towns:
        assert sum(c["enterprises"] for c in cells if c["grid1_code"] == town["grid1_code"]) == town["enterprises"]
    assert sum(t["enterprises"] for t in towns) == len(expected)


def test_gcj02_area_is_converted_to_the_same_impact():
    ring = np.array(DRAWN["coordinates"][0])
    lon, lat = wgs84_to_gcj02(ring[:, 0], ring[:, 1])
    gcj = {"type": "Polygon", "coordinates": [np.column_stack([lon, lat]).tolist()]}
    response = api("flood").post("/api/flood/exposure/", {"geometry": gcj, "crs": "gcj02"}, format="json")
    assert response.status_code == 200
    wgs = impact(user("flood"), ImpactQuery(area=polygon_input(DRAWN)))
    assert {e["id"] for e in response.json()["enterprises"]} == {e["id"] for e in wgs["enterprises"]}


def geodesic_distance_to_polygon(lon, lat, polygon, step_m=2.0):
    """Independent check: 0 inside, else the least geodesic distance to the densified
    boundary (points every step_m along each edge's geodesic)."""
    if polygon.covers(Point(lon, lat)):
        return 0.0
    coords = list(polygon.exterior.coords)
    best = float("inf")
    for (x0, y0), (x1, y1) in zip(coords, coords[1:], strict=False):
        length = GEOD.inv(x0, y0, x1, y1)[2]
        n = max(1, int(length / step_m))
        xs = np.array([x0] + [p[0] for p in GEOD.npts(x0, y0, x1, y1, n - 1)] + [x1]) if n > 1 else np.array([x0, x1])
        ys = np.array([y0] + [p[1] for p in GEOD.npts(x0, y0, x1, y1, n - 1)] + [y1]) if n > 1 else np.array([y0, y1])
        distances = GEOD.inv(np.full(len(xs), lon), np.full(len(ys), lat), xs, ys)[2]
        best = min(best, float(distances.min()))
    return best


@pytest.mark.parametrize("area", [SMALL, DRAWN], ids=["small", "drawn"])
def test_nearest_depots_match_geodesic_distances(area):
    k = 4
    result = impact(user("flood"), ImpactQuery(area=polygon_input(area), k=k))
    polygon = shape(area)
    truth = sorted((geodesic_distance_to_polygon(d.location.x, d.location.y, polygon), d.name)
                   for d in SupplyDepot.objects.all())[:k]
    got = [(d["distance_m"], d["name"]) for d in result["depots"]]
    assert [name for _, name in got] == [name for _, name in truth]
    for (mine, _), (theirs, _) in zip(got, truth, strict=True):
        assert abs(mine - theirs) < 1.0
    assert all(d["items"] for d in result["depots"])


def test_depot_knn_uses_the_geography_index():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM flood_supplydepot ORDER BY location::geography <-> "
                       "ST_GeogFromText('POINT(116.9 38.9)') LIMIT 5")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "flood_depot_geog_gist" in plan


def test_stock_reconciles_with_the_2019_figures():
    totals = {}
    for name, quantity in StockItem.objects.values_list("name", "quantity"):
        totals[name] = totals.get(name, 0) + quantity
    assert totals["编织袋"] == 43_000
    assert totals["防汛照明灯"] == 1_103
    assert totals["冲锋舟"] + totals["橡皮艇"] == 6
    assert totals["救生衣"] == 1_162
    assert totals["救生圈"] == 227
    # Each item's quantity is exactly what its ledger says.
    for item in StockItem.objects.all():
        receipts = sum(m.quantity for m in item.movements.filter(kind="receipt"))
        issues = sum(m.quantity for m in item.movements.filter(kind="issue"))
        assert receipts - issues == item.quantity


def test_rescue_teams_of_the_sample():
    from gridmap.flood.models import RescueTeam

    assert RescueTeam.objects.count() == 16
    assert sum(RescueTeam.objects.values_list("members", flat=True)) >= 400


def test_ledger_records_actor_and_refuses_negative_stock():
    actor = user("flood")
    item = StockItem.objects.filter(name="救生衣").first()
    before = item.quantity
    movement = stock_issue(actor=actor, item=item, quantity=10, note="台风抢险")
    assert movement.actor == actor and movement.balance_after == before - 10
    stock_receive(actor=actor, item=item, quantity=10)
    with pytest.raises(ValidationError, match="库存不足"):
        stock_issue(actor=actor, item=item, quantity=before + 1)
    for bad in (0, -5):
        with pytest.raises(ValidationError):
            stock_issue(actor=actor, item=item, quantity=bad)
    item.refresh_from_db()
    assert item.quantity == before and item.movements.count() == 3  # initial + issue + receipt


def test_two_concurrent_issues_never_overdraw():
    """Two issues of 60 from a stock of 100 at the same instant, each on its own connection:
    one succeeds, the other is refused, the ledger holds exactly one issue."""
    ids = {}

    def setup():
        depot = SupplyDepot.objects.create(name="并发测试仓库", manager="测试", phone="1",
                                           location="SRID=4326;POINT(116.9 38.9)")
        item = StockItem.objects.create(depot=depot, code="3010299", name="编织袋（并发）", unit="条")
        stock_receive(actor=None, item=item, quantity=100)
        ids.update(depot=depot.pk, item=item.pk)

    try:
        assert run_together(setup) == []
        actor = user("flood")
        errors = run_together(lambda: stock_issue(actor=actor, item=ids["item"], quantity=60),
                              lambda: stock_issue(actor=actor, item=ids["item"], quantity=60))
        assert len(errors) == 1 and isinstance(errors[0], ValidationError)
        with connection.cursor() as cursor:
            cursor.execute("SELECT quantity FROM flood_stockitem WHERE id = %s", [ids["item"]])
            assert cursor.fetchone()[0] == 40
            cursor.execute("SELECT count(*), min(balance_after) FROM flood_stockmovement "
                           "WHERE item_id = %s AND kind = 'issue'", [ids["item"]])
            assert cursor.fetchone() == (1, 40)
    finally:
        def cleanup():
            StockMovement.objects.filter(item_id=ids.get("item")).delete()
            SupplyDepot.objects.filter(name="并发测试仓库").delete()

        run_together(cleanup)


def test_preflood_tasks_are_created_once():
    import datetime as dt

    zone = FloodZone.objects.get(name="团泊洼蓄滞洪区")
    due = dt.date.today() + dt.timedelta(days=10)
    first = preflood_tasks_create(actor=user("flood"), zone=zone, due_date=due)
    assert first.created > 0 and first.existing == 0
    again = preflood_tasks_create(actor=user("flood"), zone=zone, due_date=due)
    assert again.created == 0 and again.existing == first.created
    assert PreFloodTask.objects.filter(zone=zone, status="open").count() == first.created
    result = impact(user("flood"), ImpactQuery(zone_id=zone.pk))
    assert result["totals"]["open_tasks"] == first.created
    with pytest.raises(ValidationError):
        preflood_tasks_create(actor=user("flood"), zone=zone, due_date=dt.date(2000, 1, 1))
