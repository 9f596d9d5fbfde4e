"""The bad-input corpus (tests/fixtures/bad/, made by tests/fixtures/make_bad.py): every file is
refused with one clear error naming the file, the feature or row, and the field, and the
database is unchanged (row counts and a digest of every row, before and after)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest
from django.conf import settings
from django.db import connection

from gridmap.geo.readers import ImportRefused
from gridmap.grids.loader import import_grids
from gridmap.grids.roster import import_roster
from tests.conftest import table_checksum

BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"
TABLES = ("grids_grid", "grids_gridassignment", "accounts_user", "enterprises_enterprise",
          "enterprises_riskpoint")

pytestmark = pytest.mark.django_db

GRID_CASES = {
    # file: (expected words in the message, keyword arguments)
    "empty.shp": (["empty.shp", "没有要素"], {}),
    "truncated.shp": (["truncated.shp", ".dbf"], {}),
    "no_prj.shp": (["no_prj.shp", "坐标系", "--source-crs"], {}),
    "metres_as_degrees.shp": (["metres_as_degrees.shp", "超出经纬度范围"], {}),
    "gbk_read_as_utf8.shp": (["gbk_read_as_utf8.shp", "第 1 个要素", "name", "UTF-8"], {}),
    "invalid_ring.shp": (["invalid_ring.shp", "第 1 个要素", "geometry", "几何无效"], {}),
    "self_intersection.shp": (["self_intersection.shp", "第 2 个要素", "geometry", "几何无效"], {}),
    "overlap.shp": (["overlap.shp", "第 1 个要素", "geometry", "重叠"], {}),
    "gap.shp": (["120118108", "geometry", "缺口"], {}),
    "duplicate_codes.shp": (["duplicate_codes.shp", "第 6 个要素", "code", "编码重复"], {}),
    "outside_district.shp": (["outside_district.shp", "第 3 个要素", "geometry", "超出上级网格"], {}),
    "wrong_columns.shp": (["wrong_columns.shp", "code", "缺少字段"], {}),
    "huge_values.gpkg": (["huge_values.gpkg", "第 1 个要素", "level", "第 2 个要素", "name"], {"layer": "cells"}),
}

ROSTER_CASES = {
    "empty.csv": ["empty.csv", "名册为空"],
    "wrong_columns.csv": ["wrong_columns.csv", "username", "缺少字段"],
    "unknown_grid.csv": ["unknown_grid.csv", "第 2 行", "grid_code", "不存在"],
    "bad_phone.csv": ["bad_phone.csv", "第 2 行", "phone"],
    "gbk.csv": ["gbk.csv", "UTF-8"],
    "bad_dates.csv": ["bad_dates.csv", "第 2 行", "valid_to"],
    "formula_injection.xlsx": ["formula_injection.xlsx", "第 2 行", "name", "公式"],
    "fullwidth_formula.csv": ["fullwidth_formula.csv", "第 2 行", "name", "公式"],
}


ENTERPRISE_CASES = {
    "empty.csv": ["empty.csv", "没有数据行"],
    "bad_credit_code.csv": ["第 3 行", "credit_code"],
    "missing_coordinates.csv": ["第 4 行", "lon"],
    "outside_district.csv": ["第 5 行", "不在"],
    "unknown_industry.csv": ["第 2 行", "industry_code"],
    "gbk_read_as_utf8.csv": ["gbk_read_as_utf8.csv", "第 2 行", "name", "GBK"],
    "wrong_columns.csv": ["wrong_columns.csv", "name"],
    "huge_values.csv": ["第 6 行", "name", "超过"],
    "not_finite.csv": ["第 4 行", "lon", "lat", "不是数字"],
    "formula_injection.xlsx": ["formula_injection.xlsx", "第 3 行", "name", "公式"],
}


@pytest.mark.parametrize("name", sorted(ENTERPRISE_CASES))
def test_bad_enterprise_file_is_refused_and_changes_nothing(name):
    from gridmap.enterprises.importer import enterprises_import

    before = table_checksum(*TABLES)
    with pytest.raises(ImportRefused) as error:
        enterprises_import(path=BAD / "enterprises" / name)
    message = str(error.value)
    for word in ENTERPRISE_CASES[name]:
        assert word in message, f"{name}: {word!r} not in {message!r}"
    assert table_checksum(*TABLES) == before


@pytest.mark.parametrize("name", sorted(GRID_CASES))
def test_bad_grid_file_is_refused_and_changes_nothing(name):
    words, kwargs = GRID_CASES[name]
    before = table_checksum(*TABLES)
    with pytest.raises(ImportRefused) as error:
        import_grids(BAD / "grids" / name, **kwargs)
    message = str(error.value)
    for word in words:
        assert word in message, f"{name}: {word!r} not in {message!r}"
    assert table_checksum(*TABLES) == before


@pytest.mark.parametrize("name", sorted(ROSTER_CASES))
def test_bad_roster_is_refused_and_changes_nothing(name):
    before = table_checksum(*TABLES)
    with pytest.raises(ImportRefused) as error:
        import_roster(BAD / "roster" / name)
    message = str(error.value)
    for word in ROSTER_CASES[name]:
        assert word in message, f"{name}: {word!r} not in {message!r}"
    assert table_checksum(*TABLES) == before


def test_every_corpus_file_is_covered():
    grid_files = {p.name for p in (BAD / "grids").iterdir() if p.suffix in (".shp", ".gpkg")}
    # truncated.shp has no .dbf/.shx but its .shp is there.
    assert grid_files == set(GRID_CASES)
    assert {p.name for p in (BAD / "roster").iterdir()} == set(ROSTER_CASES)
    assert {p.name for p in (BAD / "enterprises").iterdir()} == set(ENTERPRISE_CASES)


def test_killed_import_leaves_the_database_as_before(tmp_path):
    """SIGKILL the importer while its transaction is open: PostgreSQL rolls it back."""
    frame = gpd.read_file(settings.BASE_DIR / "data" / "shapefiles" / "grids_level2.shp", engine="pyogrio")
    frame["name"] = frame["name"] + "（改）"
    path = tmp_path / "renamed.shp"
    frame.to_file(path, engine="pyogrio", encoding="UTF-8")
    before = table_checksum(*TABLES)
    database = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgis://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                                          f"{database['NAME']}", "DJANGO_SETTINGS_MODULE": "gridmap.settings.test"}
    process = subprocess.Popen([sys.executable, "manage.py", "import_grids", str(path)], cwd=settings.BASE_DIR,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed_in_transaction = False
    deadline = time.monotonic() + 60
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and process.poll() is None:
            # Activity statistics are a snapshot per transaction: take a fresh one each time.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("""SELECT count(*) FROM pg_stat_activity
                              WHERE datname = current_database() AND pid <> pg_backend_pid()
                                AND xact_start IS NOT NULL AND query ILIKE '%%grid_%%'""")
            if cursor.fetchone()[0]:
                os.kill(process.pid, signal.SIGKILL)
                killed_in_transaction = True
                break
            time.sleep(0.005)
    _, errors = process.communicate(timeout=30)
    assert killed_in_transaction, f"the import finished before it could be killed: {errors[-2000:]}"
    # The server notices the lost client and rolls back; wait for the backend to go.
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("""SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                              AND pid <> pg_backend_pid() AND xact_start IS NOT NULL""")
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.05)
    assert table_checksum(*TABLES) == before
