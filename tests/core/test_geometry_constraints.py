"""Every geometry column refuses, in the database itself, a geometry that is invalid, empty or
not finite; the migration's repair step mends what it can in older rows and names the rest."""

import math

import pytest
from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import LineString
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory

from gridmap.core.api_errors import exception_handler as api_exception_handler
from gridmap.core.constraints import check_violation, repair_or_report
from gridmap.core.middleware import ConstraintViolationMiddleware
from gridmap.patrols.models import Patrol
from tests.factories import inside, officer_of

pytestmark = pytest.mark.django_db
CELL = "120118105-001"


@pytest.fixture
def patrol():
    lon, lat = inside(CELL)
    officer = officer_of(CELL)
    from django.utils import timezone

    from gridmap.grids.models import Grid
    return Patrol.objects.create(officer=officer, cell=Grid.objects.get(code=CELL), patrolled_at=timezone.now(),
                                 position=f"SRID=4326;POINT({lon} {lat})", district_code="120118")


def insert_track(patrol, track_sql: str):
    """A raw INSERT copying `patrol` with the given track, as a path that skips every form."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO patrols_patrol (officer_id, cell_id, patrolled_at, position, track, visited,"
            " far_from_enterprise, notes, district_code, created_at, client_digest)"
            f" SELECT officer_id, cell_id, patrolled_at, position, {track_sql}, visited, far_from_enterprise,"
            " notes, district_code, created_at, client_digest FROM patrols_patrol WHERE id = %s", [patrol.pk])


BAD_TRACKS = {
    "nan": ("ST_SetSRID(ST_MakeLine(ST_MakePoint('NaN', 'NaN'), ST_MakePoint('Infinity', 1)), 4326)",
            {"patrols_patrol_track_valid", "patrols_patrol_track_finite"}),
    "nan_first_point": ("ST_SetSRID(ST_MakeLine(ST_MakePoint('NaN', 39), ST_MakePoint(117, 39)), 4326)",
                        {"patrols_patrol_track_valid"}),
    "infinity": ("ST_SetSRID(ST_MakeLine(ST_MakePoint(117, 39), ST_MakePoint('-Infinity', 39)), 4326)",
                 {"patrols_patrol_track_valid", "patrols_patrol_track_finite"}),
    "one_point": ("'SRID=4326;LINESTRING(117 39, 117 39)'::geometry", {"patrols_patrol_track_valid"}),
    "empty": ("'SRID=4326;LINESTRING EMPTY'::geometry", {"patrols_patrol_track_not_empty"}),
    "out_of_range": ("'SRID=4326;LINESTRING(117 39, 400 39)'::geometry", {"patrols_patrol_track_finite"}),
}


@pytest.mark.parametrize("case", sorted(BAD_TRACKS))
def test_the_database_refuses_a_bad_track(patrol, case):
    track_sql, constraints = BAD_TRACKS[case]
    count = Patrol.objects.count()
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        insert_track(patrol, track_sql)
    assert error.value.__cause__.diag.constraint_name in constraints
    assert Patrol.objects.count() == count


def test_the_database_refuses_a_nan_point(patrol):
    with pytest.raises(IntegrityError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE patrols_patrol SET position = ST_SetSRID(ST_MakePoint('NaN', 'NaN'), 4326)"
                       " WHERE id = %s", [patrol.pk])
    assert error.value.__cause__.diag.constraint_name == "patrols_patrol_position_finite"


def test_a_good_track_is_stored(patrol):
    insert_track(patrol, "'SRID=4326;LINESTRING(117 39, 117.001 39.001)'::geometry")


def test_every_geometry_column_carries_the_three_constraints():
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'c'")
        names = {row[0] for row in cursor.fetchall()}
    missing = []
    for model in apps.get_models():
        if model._meta.app_label == "pghistory" or model.__name__.endswith("Event"):
            continue  # the audit copies: rows reach them only from the checked tables
        for field in model._meta.concrete_fields:
            if isinstance(field, GeometryField):
                for kind in ("valid", "not_empty", "finite"):
                    name = f"{model._meta.db_table}_{field.column}_{kind}"
                    if name not in names:
                        missing.append(name)
    assert not missing


def refused_track_error(patrol) -> IntegrityError:
    patrol.track = LineString((117.0, 39.0), (math.nan, 39.0), srid=4326)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        patrol.save()
    return error.value


def test_a_refused_write_answers_400_naming_the_field(patrol):
    error = refused_track_error(patrol)
    field, message = check_violation(error)
    assert field == "track" and message.startswith("巡查轨迹：") and "有限数" in message
    response = api_exception_handler(error, {})
    assert response.status_code == 400 and "巡查轨迹" in response.data["track"][0]
    request = RequestFactory().post("/patrols/new/")
    page = ConstraintViolationMiddleware(lambda request: None).process_exception(request, error)
    assert page.status_code == 400 and "巡查轨迹" in page.content.decode()


def test_other_integrity_errors_are_left_alone(patrol):
    with pytest.raises(IntegrityError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO patrols_patrol SELECT * FROM patrols_patrol WHERE id = %s", [patrol.pk])
    assert check_violation(error.value) is None


def drop_constraints(table: str, column: str):
    with connection.cursor() as cursor:
        # Rows written earlier in the test's transaction leave deferred checks that ALTER TABLE refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for kind in ("valid", "not_empty", "finite"):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_{column}_{kind}")


def test_the_migration_reports_a_stored_nan_track_by_table_and_id(patrol, capsys):
    drop_constraints("patrols_patrol", "track")
    insert_track(patrol, "ST_SetSRID(ST_MakeLine(ST_MakePoint('NaN', 'NaN'), ST_MakePoint('Infinity', 1)), 4326)")
    bad_id = Patrol.objects.order_by("-id").values_list("id", flat=True).first()
    insert_track(patrol, "'SRID=4326;LINESTRING EMPTY'::geometry")
    emptied_id = bad_id + 1
    with pytest.raises(RuntimeError) as error:
        repair_or_report(connection, "patrols_patrol", ("position", "track"))
    assert f"patrols_patrol.track id={bad_id}" in str(error.value)
    assert "有限数" in str(error.value)
    # The empty track, which can mean "no track", was repaired to NULL and said so.
    assert Patrol.objects.get(pk=emptied_id).track is None
    assert f"patrols_patrol.track id={emptied_id}: 空几何改为 NULL" in capsys.readouterr().out


def test_the_migration_repairs_a_self_intersecting_grid():
    from gridmap.grids.models import Grid

    drop_constraints("grids_grid", "geom")
    cell = Grid.objects.get(code=CELL)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE grids_grid SET geom = 'SRID=4326;MULTIPOLYGON(((117 38.9, 117.01 38.91, 117.01 38.9,"
                       " 117 38.91, 117 38.9)))'::geometry WHERE id = %s", [cell.pk])
    assert repair_or_report(connection, "grids_grid", ("geom",)) == [
        f"grids_grid.geom id={cell.pk}: 无效多边形已用 ST_MakeValid 修复"]
    cell.refresh_from_db()
    assert cell.geom.valid and cell.geom.num_geom == 2
