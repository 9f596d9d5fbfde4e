"""Two writers at once, each on its own database connection: no duplicates, no lost update."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db import connections as django_connections

from gridmap.grids.loader import import_grids
from gridmap.grids.models import Grid, GridAssignment
from gridmap.grids.roster import import_roster

pytestmark = pytest.mark.django_db


def run_together(*jobs):
    """Start the jobs at the same instant in threads (one connection each); return errors."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # collected and asserted on by the caller
            errors.append(exc)
        finally:
            django_connections.close_all()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_two_identical_rosters_at_once_create_each_duty_once(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("username,name,phone,grid_code,role,valid_from,valid_to\n"
                    "race0001,赛跑一,13800000001,120118108-001,substitute,2026-07-01,2026-07-31\n"
                    "race0002,赛跑二,13800000002,120118108-002,substitute,2026-07-01,2026-07-31\n")
    try:
        errors = run_together(lambda: import_roster(path), lambda: import_roster(path))
        assert errors == []
        with connection.cursor() as cursor:  # committed by the threads' own connections
            cursor.execute("""SELECT count(*) FROM grids_gridassignment a JOIN accounts_user u ON u.id = a.user_id
                              WHERE u.username LIKE 'race%%'""")
            assert cursor.fetchone()[0] == 2
            cursor.execute("SELECT count(*) FROM accounts_user WHERE username LIKE 'race%%'")
            assert cursor.fetchone()[0] == 2
    finally:
        def cleanup():
            get_user_model().objects.filter(username__startswith="race").delete()

        run_together(cleanup)


def test_two_grid_imports_at_once_both_succeed_one_after_the_other(tmp_path):
    import geopandas as gpd
    from django.conf import settings

    frame = gpd.read_file(settings.BASE_DIR / "data" / "shapefiles" / "grids_level2.shp", engine="pyogrio")
    town = frame[frame["parent"] == "120118110"].reset_index(drop=True)
    first, second = town.copy(), town.copy()
    first.loc[0, "name"] = "并发甲村"
    second.loc[0, "name"] = "并发乙村"
    first.to_file(tmp_path / "a.shp", engine="pyogrio", encoding="UTF-8")
    second.to_file(tmp_path / "b.shp", engine="pyogrio", encoding="UTF-8")
    code, original = town.code[0], town.name[0]
    try:
        errors = run_together(lambda: import_grids(tmp_path / "a.shp"), lambda: import_grids(tmp_path / "b.shp"))
        assert errors == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, count(*) OVER () FROM grids_grid WHERE code = %s", [code])
            name, rows = cursor.fetchone()
        assert rows == 1 and name in ("并发甲村", "并发乙村")
    finally:
        def restore():
            Grid.objects.filter(code=code).update(name=original)

        run_together(restore)
    assert GridAssignment.objects.filter(grid__code=code).exists()
