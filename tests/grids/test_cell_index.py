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


# A rebuild after a change of duty or of a user reads only the answers whose officers' digest
# changed: it must give, cell by cell, what a full build gives.


def assert_same_as_a_fresh_build(index):
    fresh = cell_index.build(index.day)
    assert index.ids == fresh.ids
    for position, cell in enumerate(fresh.ids):
        assert index.answers[position] == fresh.answers[position], cell
        assert index.name_answers[position] == fresh.name_answers[position], cell
    assert index.digests == fresh.digests and len(index.digests) > 100
    assert index.lineages == fresh.lineages
    assert index.token == fresh.token and index.day_ends_at == fresh.day_ends_at


def rebuilt(index, day=None):
    """The index brought up to date; asserts that it read no shape (the incremental path)."""
    from django.test.utils import CaptureQueriesContext

    versions.forget()
    with CaptureQueriesContext(connection) as queries:
        updated = cell_index.build(day or index.day, index)
    assert not any("ST_AsBinary" in query["sql"] for query in queries), "read every cell again"
    assert updated.shapes is index.shapes
    return updated


def changed_positions(before, after):
    return {at for at, (old, new) in enumerate(zip(before.answers, after.answers, strict=True)) if old != new}


def test_the_answers_read_at_once_are_the_reference_lookups_text_cell_by_cell(index):
    from gridmap.grids.selectors import CELL_ANSWER_JSON, CELL_ANSWER_NAMES_JSON, VALID_ON_SQL

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.id, {CELL_ANSWER_JSON}::text, {CELL_ANSWER_NAMES_JSON}::text FROM grids_grid c"
                       f" WHERE c.level >= 2 AND {VALID_ON_SQL} ORDER BY c.level DESC, c.code", {"day": index.day})
        rows = cursor.fetchall()
    assert [row[0] for row in rows] == list(index.ids)
    # The same text, byte for byte: the API answers it as it is.
    assert [row[1] for row in rows] == list(index.answers)
    assert [row[2] for row in rows] == list(index.name_answers)
    assert sum(answer != "[]" and '"officers" : []' not in answer for answer in index.answers) > 100


def test_a_change_of_duty_or_of_a_user_reads_again_only_the_changed_cells_and_equals_a_full_build(index):
    today = index.day
    duties = GridAssignment.objects.filter(grid__level=2, role="cell_officer", valid_to__isnull=True,
                                           user__is_active=True).select_related("user", "grid").order_by("pk")
    # Four duties of four users on four cells.
    picked, users, cells = [], set(), set()
    for duty in duties:
        if len(picked) < 4 and duty.user_id not in users and duty.grid_id not in cells:
            picked.append(duty)
            users.add(duty.user_id)
            cells.add(duty.grid_id)
    first, second, third, fourth = picked[:4]
    position = {cell: at for at, cell in enumerate(index.ids)}

    # A duty changes hands.
    other = (duties.exclude(user__grid_assignments__grid__in=cells)
             .exclude(user__in=[d.user for d in (first, second, third, fourth)]).first().user)
    GridAssignment.objects.filter(pk=first.pk).update(user=other)
    index2 = rebuilt(index)
    assert changed_positions(index, index2) == {position[first.grid_id]}
    assert_same_as_a_fresh_build(index2)

    # A user's phone: every cell of theirs, and no other.
    user = second.user
    theirs = {position[cell] for cell in GridAssignment.objects.filter(
        on_duty_on_today(today), user=user).values_list("grid_id", flat=True) if cell in position}
    user.phone = "13900009999"
    user.save()
    index3 = rebuilt(index2)
    assert changed_positions(index2, index3) == theirs and theirs
    assert "13900009999" in index3.answers[position[second.grid_id]]
    # Names only: the phone is in neither before nor after.
    assert index3.name_answers == index2.name_answers
    assert_same_as_a_fresh_build(index3)

    # A user deactivated: their cells no longer name them.
    third.user.is_active = False
    third.user.save()
    index4 = rebuilt(index3)
    assert third.user.username in index3.answers[position[third.grid_id]]
    assert third.user.username not in index4.answers[position[third.grid_id]]
    assert index4.name_answers[position[third.grid_id]] != index3.name_answers[position[third.grid_id]]
    assert_same_as_a_fresh_build(index4)

    # A duty ended yesterday; a substitute for today only; a user renamed.
    GridAssignment.objects.filter(pk=fourth.pk).update(valid_to=today - dt.timedelta(days=1))
    GridAssignment.objects.create(user=other, grid=second.grid, role="substitute", valid_from=today,
                                  valid_to=today, district_code=second.grid.district_code)
    User = type(other)
    User.objects.filter(pk=other.pk).update(full_name="改名后的网格员")
    index5 = rebuilt(index4)
    assert fourth.user.username in index4.answers[position[fourth.grid_id]]
    assert fourth.user.username not in index5.answers[position[fourth.grid_id]]
    assert "改名后的网格员" in index5.name_answers[position[second.grid_id]]
    assert_same_as_a_fresh_build(index5)

    # Nothing changed: nothing read again, the same answers.
    index6 = rebuilt(index5)
    assert index6.answers == index5.answers and index6.token == index5.token

    # A new day, the same cells: the substitute of today only is gone tomorrow.
    tomorrow = rebuilt(index6, today + dt.timedelta(days=1))
    assert tomorrow.day == today + dt.timedelta(days=1)
    assert "改名后的网格员" not in tomorrow.name_answers[position[second.grid_id]]
    assert_same_as_a_fresh_build(tomorrow)


def on_duty_on_today(day):
    from gridmap.grids.scope import on_duty_on

    return on_duty_on(day)


def test_an_index_built_inside_a_rolled_back_change_is_put_right_cell_by_cell(index):
    duty = GridAssignment.objects.filter(grid__level=2, role="cell_officer").order_by("pk").first()
    with transaction.atomic():
        GridAssignment.objects.filter(pk=duty.pk).delete()
        inside = rebuilt(index)
        assert inside.answers != index.answers
        transaction.set_rollback(True)
    after = rebuilt(inside)
    assert after.answers == index.answers
    assert_same_as_a_fresh_build(after)


def test_a_change_of_grids_reads_every_cell_again(index):
    cell = Grid.objects.filter(level=2).order_by("code").first()
    Grid.objects.filter(pk=cell.pk).update(name="新名称")
    versions.forget()
    updated = cell_index.build(index.day, index)
    assert updated.shapes is index.shapes  # no shape changed
    assert "新名称" in updated.answers[updated.ids.index(cell.pk)]
    assert_same_as_a_fresh_build(updated)


def test_the_process_index_of_yesterday_is_brought_to_today():
    today = timezone.localdate()
    holder = cell_index._Holder()
    holder.index = cell_index.build(today - dt.timedelta(days=1))
    GridAssignment.objects.create(
        user=GridAssignment.objects.filter(role="cell_officer").first().user,
        grid=Grid.objects.filter(level=2).order_by("code")[3], role="substitute", valid_from=today, valid_to=today,
        district_code=Grid.objects.filter(level=2).order_by("code")[3].district_code)
    current = holder.current()
    assert current.day == today and current.shapes is holder.index.shapes
    assert_same_as_a_fresh_build(current)


@override_settings(GRIDMAP_DATA_RECHECK_SECONDS=3600)
def test_while_one_thread_brings_the_index_up_to_date_the_others_answer_from_todays_without_waiting(index):
    from concurrent.futures import ThreadPoolExecutor

    holder = cell_index._Holder()
    holder.index = index
    duty = GridAssignment.objects.filter(grid__level=2, role="cell_officer").order_by("pk").first()
    GridAssignment.objects.filter(pk=duty.pk).update(valid_to=index.day - dt.timedelta(days=1))
    versions.refresh()  # the process has read the new versions: its index is stale
    holder.lock.acquire()  # this thread is bringing it up to date
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Another thread's lookup answers from today's index as it was, at once.
            assert pool.submit(holder.current).result(timeout=10) is index

            def after_writing():
                cell_index._thread.wrote = True  # as forget() marks the thread that wrote
                return holder.current()

            # A thread that has just written waits to see its change.
            waiting = pool.submit(after_writing)
            with pytest.raises(TimeoutError):
                waiting.result(timeout=0.5)
            holder.index = cell_index.build(index.day, index)
            holder.lock.release()
            assert waiting.result(timeout=10) is holder.index
            assert holder.index.answers != index.answers
    finally:
        if holder.lock.locked():
            holder.lock.release()


@override_settings(GRIDMAP_DATA_RECHECK_SECONDS=3600)
def test_no_thread_answers_from_another_days_index_while_it_is_rebuilt():
    from concurrent.futures import ThreadPoolExecutor

    today = timezone.localdate()
    holder = cell_index._Holder()
    holder.index = cell_index.build(today - dt.timedelta(days=1))
    holder.lock.acquire()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(holder.current)
            with pytest.raises(TimeoutError):
                waiting.result(timeout=0.5)
            holder.index = cell_index.build(today, holder.index)
            holder.lock.release()
            assert waiting.result(timeout=10).day == today
    finally:
        if holder.lock.locked():
            holder.lock.release()
