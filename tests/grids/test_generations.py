"""Boundaries through time (issue #22, part 2): a re-import that changes boundaries starts a
generation; the lookup, the records and the statistics of a past day keep that day's cells."""

import datetime as dt
import json

import geopandas as gpd
import pytest
import shapely
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone

from gridmap.geo.readers import ImportRefused
from gridmap.grids import cell_index
from gridmap.grids.loader import import_grids
from gridmap.grids.models import FIRST_GENERATION, Grid, GridAssignment
from gridmap.grids.scope import on_duty_on
from gridmap.inspections.models import SUPERVISION_KINDS, Inspection
from gridmap.inspections.statistics import statistics_by_grid

SHAPEFILES = settings.BASE_DIR / "data" / "shapefiles"
TOWN = "120118108"  # 大邱庄镇

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cells():
    frame = gpd.read_file(SHAPEFILES / "grids_level2.shp", engine="pyogrio")
    return frame[frame["parent"] == TOWN].reset_index(drop=True)


def halves(geometry):
    """A cell cut in two at its centroid's longitude, each half a MultiPolygon."""
    minx, miny, maxx, maxy = geometry.bounds
    middle = geometry.centroid.x
    parts = []
    for box in (shapely.box(minx - 1, miny - 1, middle, maxy + 1), shapely.box(middle, miny - 1, maxx + 1, maxy + 1)):
        piece = geometry.intersection(box)
        polygons = [g for g in getattr(piece, "geoms", [piece]) if g.geom_type == "Polygon"]
        parts.append(shapely.MultiPolygon(polygons))
    return parts


def split_file(cells, code: str, folder):
    """A partial file: the town's cell `code` replaced by two new cells."""
    row = cells[cells.code == code].iloc[0]
    left, right = halves(row.geometry)
    frame = gpd.GeoDataFrame(
        {"code": [f"{code}-1", f"{code}-2"], "name": [f"{row['name']}东", f"{row['name']}西"],
         "level": [2, 2], "parent": [TOWN, TOWN], "kind": [row.get("kind") or "", row.get("kind") or ""]},
        geometry=[left, right], crs=cells.crs)
    path = folder / "split.shp"
    frame.to_file(path, engine="pyogrio", encoding="UTF-8")
    return path


@pytest.fixture
def split(cells, tmp_path):
    """The town's cell with the most supervision inspections, split the day after its last one."""
    busiest = (Inspection.objects.filter(cell__parent__code=TOWN, kind__in=SUPERVISION_KINDS)
               .values("cell__code").annotate(n=Count("id")).order_by("-n", "cell__code").first())
    assert busiest, "the sample has inspections in the town"
    old = Grid.objects.get(code=busiest["cell__code"])
    last = Inspection.objects.filter(cell=old).latest("inspected_on").inspected_on
    day = max(last + dt.timedelta(days=1), FIRST_GENERATION + dt.timedelta(days=60))
    assert day <= timezone.localdate()
    return old, day, split_file(cells, old.code, tmp_path)


def lookup(client, point, **params):
    return client.get("/api/grids/lookup/", {"lon": point.x, "lat": point.y, **params})


def test_a_split_closes_the_cell_and_opens_two(split):
    old, day, path = split
    records = {model: list(model.objects.filter(cell=old).values_list("pk", flat=True))
               for model in (Inspection,)}
    dry = import_grids(path, valid_from=day, dry_run=True)
    assert dry.closed == [old.code] and dry.opened == [f"{old.code}-1", f"{old.code}-2"]
    assert "关闭" in dry.summary() and old.code in dry.summary()
    assert Grid.objects.get(pk=old.pk).valid_to is None  # the dry run wrote nothing

    report = import_grids(path, valid_from=day)
    assert report.closed == [old.code] and sorted(report.created) == [f"{old.code}-1", f"{old.code}-2"]
    closed = Grid.objects.get(pk=old.pk)
    assert closed.valid_to == day - dt.timedelta(days=1)
    assert closed.geom.equals(old.geom)  # the old polygon stays
    new = Grid.objects.filter(code__startswith=f"{old.code}-")
    assert {g.valid_from for g in new} == {day} and all(g.valid_to is None for g in new)
    assert sum(g.area_m2 for g in new) == pytest.approx(old.area_m2, rel=1e-5)
    # Records keep the cell of their day: nothing re-points them.
    for model, pks in records.items():
        assert list(model.objects.filter(cell=old).values_list("pk", flat=True)) == pks
    # The old cell's duties end the day before; none goes on past it.
    assert not GridAssignment.objects.filter(on_duty_on(day), grid=old).exists()
    # Today's grid list shows the open generation only.
    codes = [g.code for g in Grid.objects.current().filter(parent__code=TOWN)]
    assert old.code not in codes and f"{old.code}-1" in codes and len(codes) == len(set(codes))


def test_lookup_on_a_day_answers_that_days_cell_and_officers(split, supervisor, supervisor_client):
    old, day, path = split
    before = day - dt.timedelta(days=30)
    # A substitute of that day only: named on that day, not the day after.
    GridAssignment.objects.create(user=supervisor, grid=old, role="substitute", valid_from=before,
                                  valid_to=before, district_code=old.district_code)
    officers_then = set(GridAssignment.objects.filter(on_duty_on(before), grid=old, user__is_active=True)
                        .values_list("user__username", flat=True))
    import_grids(path, valid_from=day)
    cell_index.forget()
    point = shapely.from_wkb(bytes(old.geom.wkb)).representative_point()

    answer = lookup(supervisor_client, point, on=before.isoformat())
    assert answer.status_code == 200, answer.content
    then = answer.json()
    assert then["code"] == old.code
    assert {o["username"] for o in then["officers"]} == officers_then
    assert supervisor.username in officers_then
    later = lookup(supervisor_client, point, on=(before + dt.timedelta(days=1)).isoformat()).json()
    assert later["code"] == old.code and supervisor.username not in {o["username"] for o in later["officers"]}

    today = lookup(supervisor_client, point).json()
    assert today["code"] in (f"{old.code}-1", f"{old.code}-2")
    assert lookup(supervisor_client, point, on=timezone.localdate().isoformat()).json()["code"] == today["code"]
    assert lookup(supervisor_client, point, on=day.isoformat()).json()["code"] == today["code"]


def test_lookup_before_every_generation_and_malformed_days(supervisor_client):
    point = shapely.from_wkb(bytes(Grid.objects.filter(level=2).first().geom.wkb)).representative_point()
    early = lookup(supervisor_client, point, on="2018-12-31")
    assert early.status_code == 404 and "早于最早的网格划分" in early.json()["detail"]
    assert lookup(supervisor_client, point, on="2019-01-01").status_code == 200
    for bad in ("2019-13-01", "20190811", "2019-8-11", "昨天", ""):
        response = lookup(supervisor_client, point, on=bad)
        assert response.status_code == 400, bad
        assert "YYYY-MM-DD" in json.dumps(response.json(), ensure_ascii=False)


def test_lookup_on_a_past_day_shows_contacts_only_within_that_days_scope(split, api_client):
    old, day, path = split
    officer = GridAssignment.objects.filter(on_duty_on(day - dt.timedelta(days=1)), grid=old,
                                            role="cell_officer").first().user
    import_grids(path, valid_from=day)
    point = shapely.from_wkb(bytes(old.geom.wkb)).representative_point()
    api_client.force_authenticate(officer)
    then = lookup(api_client, point, on=(day - dt.timedelta(days=1)).isoformat()).json()
    assert then["officers"] and all("phone" in o for o in then["officers"])
    # Today the point lies in a new cell with no duty of theirs: names only.
    now = lookup(api_client, point, on=timezone.localdate().isoformat()).json()
    assert all("phone" not in o and "username" not in o for o in now["officers"])


def test_statistics_of_the_year_before_the_split_count_by_the_old_cell(split, supervisor):
    old, day, path = split
    start, end = day - dt.timedelta(days=365), day - dt.timedelta(days=1)
    expected = Inspection.objects.filter(cell=old, kind__in=SUPERVISION_KINDS,
                                         inspected_on__range=(start, end)).count()
    assert expected > 0
    import_grids(path, valid_from=day)
    rows = statistics_by_grid(supervisor, start=start, end=end, level=Grid.Level.LEVEL_2)["rows"]
    assert rows[old.code]["inspections"] == expected
    # The new cells did not exist in that year.
    assert f"{old.code}-1" not in rows and f"{old.code}-2" not in rows
    after = statistics_by_grid(supervisor, start=day, end=timezone.localdate(), level=Grid.Level.LEVEL_2)["rows"]
    assert f"{old.code}-1" in after and old.code not in after


def test_a_moved_border_keeps_both_codes_and_carries_their_duties(cells, tmp_path):
    frame = cells.copy()
    a, b = 0, next(i for i in range(1, len(frame))
                   if frame.geometry[0].intersection(frame.geometry[i]).length > 0)
    piece = frame.geometry[b].intersection(frame.geometry[a].buffer(0.002))
    frame.loc[a, "geometry"] = shapely.multipolygons([frame.geometry[a].union(piece)])
    frame.loc[b, "geometry"] = frame.geometry[b].difference(piece)
    path = tmp_path / "moved.shp"
    frame.to_file(path, engine="pyogrio", encoding="UTF-8")
    code = frame.code[a]
    old = Grid.objects.get(code=code)
    on_duty = set(GridAssignment.objects.filter(on_duty_on(timezone.localdate()), grid=old)
                  .values_list("user_id", "role"))
    assert on_duty
    day = timezone.localdate() - dt.timedelta(days=10)
    report = import_grids(path, valid_from=day)
    assert sorted(report.closed) == sorted([code, frame.code[b]]) == sorted(report.opened)
    rows = list(Grid.objects.filter(code=code).order_by("valid_from"))
    assert [(r.valid_from, r.valid_to) for r in rows] == [(FIRST_GENERATION, day - dt.timedelta(days=1)), (day, None)]
    # The duties go on with the code, split at the day.
    assert set(GridAssignment.objects.filter(on_duty_on(timezone.localdate()), grid=rows[1])
               .values_list("user_id", "role")) == on_duty
    assert set(GridAssignment.objects.filter(on_duty_on(day - dt.timedelta(days=1)), grid=rows[0])
               .values_list("user_id", "role")) == on_duty
    assert not GridAssignment.objects.filter(on_duty_on(day), grid=rows[0]).exists()
    # Re-importing the same file the same day changes nothing.
    again = import_grids(path, valid_from=day)
    assert again.unchanged == len(frame) and not again.closed


def test_a_generation_cannot_start_before_the_one_it_replaces(split, cells, tmp_path):
    old, day, path = split
    import_grids(path, valid_from=day)
    # Merging the two halves back, from a day before they began: refused, nothing written.
    back = tmp_path / "back.shp"
    cells[cells.code == old.code].to_file(back, engine="pyogrio", encoding="UTF-8")
    with pytest.raises(ImportRefused) as refused:
        import_grids(back, valid_from=day - dt.timedelta(days=5))
    assert "生效日期" in str(refused.value) and f"{old.code}-1" in str(refused.value)
    # From a later day: the halves close, the code opens again.
    later = day + dt.timedelta(days=1)
    report = import_grids(back, valid_from=later)
    assert sorted(report.closed) == [f"{old.code}-1", f"{old.code}-2"] and report.opened == [old.code]
    assert Grid.objects.current().get(code=old.code).valid_from == later


def test_the_cell_pages_show_the_boundary_history(split, client, supervisor):
    old, day, path = split
    import_grids(path, valid_from=day)
    client.force_login(supervisor)
    page = client.get(f"/cells/{old.code}/").content.decode()
    assert "已撤销" in page and f"{day - dt.timedelta(days=1):%Y-%m-%d}" in page
    assert page.count("拆分为") == 2 and f"{old.code}-1" in page and f"{old.code}-2" in page
    half = client.get(f"/cells/{old.code}-1/").content.decode()
    assert "拆分自" in half and f"/cells/{old.code}/" in half
    # A neighbour shares only a border with the old cell: no relation.
    neighbour = (Grid.objects.current().filter(level=2, geom__touches=old.geom)
                 .exclude(code__startswith=old.code).first())
    assert "自 2019-01-01 起边界未变" in client.get(f"/cells/{neighbour.code}/").content.decode()
    api = client.get(f"/api/grids/{old.code}-1/").json()
    assert api["valid_from"] == day.isoformat() and api["valid_to"] is None


def test_the_grid_list_and_layers_show_one_generation_unless_asked_as_of_a_day(split, supervisor_client):
    old, day, path = split
    import_grids(path, valid_from=day)

    def codes(**params):
        response = supervisor_client.get("/api/grids/", {"level": 2, **params})
        assert response.status_code == 200, response.content
        return [f["properties"]["code"] for f in json.loads(response.content)["features"]]

    today = codes()
    assert old.code not in today and f"{old.code}-1" in today and len(today) == len(set(today)) == 433
    then = codes(on=(day - dt.timedelta(days=1)).isoformat())
    assert old.code in then and f"{old.code}-1" not in then and len(then) == 432
    assert supervisor_client.get("/api/grids/", {"on": "2019-02-30"}).status_code == 400
    layer = supervisor_client.get("/api/layers/grids-level2.geojson")
    assert layer.status_code == 200
    layer_codes = [f["properties"]["code"] for f in json.loads(layer.content)["features"]]
    assert sorted(layer_codes) == sorted(today)


def test_a_record_of_a_day_before_the_split_is_filed_under_the_old_cell(cells, tmp_path):
    from gridmap.patrols.services import patrol_record

    cell = Grid.objects.get(code=cells.code[3])
    officer = GridAssignment.objects.filter(on_duty_on(timezone.localdate()), grid=cell,
                                            role="cell_officer").first().user
    day = timezone.localdate() - dt.timedelta(days=2)
    import_grids(split_file(cells, cell.code, tmp_path), valid_from=day)
    point = shapely.from_wkb(bytes(cell.geom.wkb)).representative_point()
    moment = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(10)))
    patrol = patrol_record(actor=officer, lon=point.x, lat=point.y, patrolled_at=moment)
    assert patrol.cell_id == cell.pk
    # On the day of the split the point is in a new cell, with no duty of theirs.
    with pytest.raises(PermissionDenied):
        patrol_record(actor=officer, lon=point.x, lat=point.y, patrolled_at=moment + dt.timedelta(days=1))


def test_an_enterprise_record_of_a_day_before_the_split_keeps_the_old_cell(split, supervisor):
    from gridmap.enterprises.models import Enterprise
    from gridmap.inspections.services import summons_record

    old, day, path = split
    enterprise = Enterprise.objects.filter(cell=old).first()
    import_grids(path, valid_from=day)
    enterprise.refresh_from_db()
    # The enterprise itself stands today in a new cell...
    assert enterprise.cell.code in (f"{old.code}-1", f"{old.code}-2")
    # ...its record of a day before the split is filed under the cell of that day.
    then = summons_record(actor=supervisor, enterprise=enterprise, held_on=day - dt.timedelta(days=1))
    assert then.cell_id == old.pk
    now = summons_record(actor=supervisor, enterprise=enterprise, held_on=timezone.localdate())
    assert now.cell_id == enterprise.cell_id


def test_the_grid_map_opens_as_of_a_day(split, client, supervisor):
    old, day, path = split
    import_grids(path, valid_from=day)
    client.force_login(supervisor)
    before = day - dt.timedelta(days=1)
    page = client.get("/map/", {"on": before.isoformat()}).content.decode()
    assert f"{before.year}年{before.month}月{before.day}日的网格边界与值守人员" in page and "回到今天" in page
    for level in (1, 2):  # the layer's URL as the map's script holds it (JSON: & as \u0026)
        assert f"/api/grids/?level={level}\\u0026on={before:%Y-%m-%d}" in page
    # Today's map draws today's generation through the registry's layers.
    today = client.get("/map/").content.decode()
    assert "/api/layers/grids-level2.geojson" in today and "网格边界与值守人员" not in today
    # A day before every generation, a later day and a malformed one are refused on the page.
    assert "早于最早的网格版本（2019-01-01）" in client.get("/map/", {"on": "2018-12-31"}).content.decode()
    assert "晚于今天" in client.get("/map/", {"on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}
                                 ).content.decode()
    refused = client.get("/map/", {"on": "2019-02-30"})
    assert refused.status_code == 200 and "查看日期格式应为 YYYY-MM-DD" in refused.content.decode()
