"""The in-memory point lookup (grids.cell_index) against the SQL reference, and its freshness."""

import datetime as dt
import json
import random

import pytest
import shapely
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from gridmap.core import versions
from gridmap.grids import cell_index
from gridmap.grids.models import Grid, GridAssignment
from gridmap.grids.selectors import cell_at_point_json

pytestmark = pytest.mark.django_db


def code_of(answer):
    return json.loads(answer)["code"] if answer else None


def token():
    return versions.of(cell_index.ANSWER_TABLES, versions.read())


@pytest.fixture
def index():
    return cell_index.build(timezone.localdate())


def test_answers_equal_the_sql_lookup_on_random_points_and_on_every_vertex(index):
    minx, miny, maxx, maxy = shapely.total_bounds(index.shapes.shapes)
    rng = random.Random(11)
    points = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(1500)]
    # Vertices lie on the borders of two or three cells: the lower code must win, as in SQL.
    vertices = shapely.get_coordinates(index.shapes.shapes)
    points += [(float(x), float(y)) for x, y in vertices[:: max(1, len(vertices) // 1500)]]
    inside = 0
    for lon, lat in points:
        expected = cell_at_point_json(lon, lat)
        answer = index.answer(lon, lat)
        assert answer == expected or json.loads(answer) == json.loads(expected), (lon, lat)
        inside += expected is not None
    assert inside > 1000


def test_raster_answers_most_points_and_only_from_squares_inside_one_cell(index):
    shapes = index.shapes
    filled = shapes.raster >= 0
    assert filled.mean() > 0.3
    rows, columns = filled.nonzero()
    rng = random.Random(5)
    for k in rng.sample(range(len(rows)), 300):
        row, column = int(rows[k]), int(columns[k])
        x0 = shapes.origin[0] + column * shapes.step
        y0 = shapes.origin[1] + row * shapes.step
        square = shapely.box(x0, y0, x0 + shapes.step, y0 + shapes.step)
        assert shapes.shapes[shapes.raster[row, column]].contains_properly(square)


def test_a_duty_change_is_seen_after_the_recheck_interval(supervisor_client):
    cell = Grid.objects.filter(level=2, assignments__role="cell_officer").order_by("code").first()
    point = shapely.from_wkb(bytes(cell.geom.wkb)).representative_point()
    officer = GridAssignment.objects.filter(grid=cell, role="cell_officer").select_related("user").first().user
    params = {"lon": point.x, "lat": point.y}
    with override_settings(GRIDMAP_DATA_RECHECK_SECONDS=3600):
        before = supervisor_client.get("/api/grids/lookup/", params).json()
        assert officer.phone in {o["phone"] for o in before["officers"]}
        officer.phone = "13900000000"
        officer.save()
        # Within the interval the process answers from its copy, by design.
        stale = supervisor_client.get("/api/grids/lookup/", params).json()
        assert "13900000000" not in {o["phone"] for o in stale["officers"]}
        cell_index.forget()
        fresh = supervisor_client.get("/api/grids/lookup/", params).json()
        assert "13900000000" in {o["phone"] for o in fresh["officers"]}


def test_sign_in_does_not_change_the_version_but_name_phone_and_duty_do(supervisor):
    start = token()
    supervisor.last_login = timezone.now()
    supervisor.save(update_fields=["last_login"])
    assert token() == start
    supervisor.phone = "13800000001"
    supervisor.save()
    after_phone = token()
    assert after_phone != start and after_phone[2] is not None
    GridAssignment.objects.filter(pk=GridAssignment.objects.order_by("pk").first().pk).update(note="x")
    assert token() != after_phone


def test_a_rolled_back_change_does_not_leave_a_stale_index():
    cell = Grid.objects.filter(level=2).order_by("code").first()
    point = shapely.from_wkb(bytes(cell.geom.wkb)).representative_point()
    with pytest.raises(RuntimeError), transaction.atomic():
        Grid.objects.filter(pk=cell.pk).update(name="临时名称")
        assert json.loads(cell_index.cell_answer_json(point.x, point.y))["name"] == "临时名称"
        raise RuntimeError
    assert json.loads(cell_index.cell_answer_json(point.x, point.y))["name"] == cell.name


def test_substitutes_are_answered_for_their_dates_only(supervisor):
    cell = Grid.objects.filter(level=2).order_by("code")[5]
    point = shapely.from_wkb(bytes(cell.geom.wkb)).representative_point()
    today = timezone.localdate()
    GridAssignment.objects.create(user=supervisor, grid=cell, role="substitute", valid_from=today,
                                  valid_to=today, district_code=cell.district_code)

    def usernames(day):
        answer = cell_index.build(day).answer(point.x, point.y)
        return {o["username"] for o in json.loads(answer)["officers"]}

    assert supervisor.username in usernames(today)
    assert supervisor.username not in usernames(today + dt.timedelta(days=1))
    assert supervisor.username not in usernames(today - dt.timedelta(days=1))


def test_an_empty_grid_table_answers_nothing():
    with transaction.atomic():
        connection.cursor().execute("TRUNCATE grids_grid, grids_gridassignment CASCADE")
        assert cell_index.cell_answer_json(117.0, 38.9) is None
        transaction.set_rollback(True)


def test_threads_of_one_process_answer_alike(index):
    from concurrent.futures import ThreadPoolExecutor

    minx, miny, maxx, maxy = shapely.total_bounds(index.shapes.shapes)
    rng = random.Random(17)
    points = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(4000)]
    expected = [index.answer(lon, lat) for lon, lat in points]
    fresh = cell_index.build(index.day)  # prepared geometries not used yet: their lazy set-up races
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda point: fresh.answer(*point), points))
    assert answers == expected


def test_a_level_three_cell_inside_a_raster_square_is_answered_exactly():
    from gridmap.grids.cell_index import CellShapes

    parent = shapely.box(0, 0, 1, 1)
    child = shapely.box(0.40, 0.40, 0.43, 0.43)  # much smaller than a raster square
    # Answer order: level III first.
    shapes = CellShapes([shapely.to_wkb(child), shapely.to_wkb(parent)])
    assert shapes.position(0.415, 0.415) == 0
    assert shapes.position(0.45, 0.45) == 1
    assert shapes.position(0.43, 0.42) == 0  # on the child's border: the first in order
    assert shapes.position(2.0, 2.0) is None
