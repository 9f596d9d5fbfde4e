
"""Enterprise import and cell assignment: PostGIS picks the same cell as an independent
point-in-polygon check, re-imported grids re-assign, and every bad file changes nothing."""

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection

from gridmap.enterprises.credit_code import check_character, organisation_check_character
from gridmap.enterprises.importer import enterprises_import, risk_points_import
from gridmap.enterprises.models import Enterprise, RiskPoint
from gridmap.enterprises.services import enterprise_save, enterprises_assign_cells
from gridmap.geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from gridmap.geo.readers import ImportRefused
from gridmap.grids.loader import import_grids
from gridmap.grids.selectors import cell_at_point_json
from tests.conftest import table_checksum


def cell_code_at(lon, lat):
    return json.loads(cell_at_point_json(lon, lat))

DATA = settings.BASE_DIR / "data"
TABLES = ("enterprises_enterprise", "enterprises_riskpoint")
HEADER = ["credit_code", "name", "address", "lon", "lat", "industry_code", "supervision_class"]
# Inside 大邱庄镇.
LON, LAT = 116.995172, 38.828028

pytestmark = pytest.mark.django_db


def code(seq: int) -> str:
    organisation = f"MA07{seq:04d}"
    body = f"91120118{organisation}{organisation_check_character(organisation)}"
    return body + check_character(body)


def write_csv(path: Path, rows, header=HEADER, encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def refused(path, **kwargs) -> str:
    before = table_checksum(*TABLES)
    with pytest.raises(ImportRefused) as error:
        enterprises_import(path=path, **kwargs)
    assert table_checksum(*TABLES) == before
    return str(error.value)


def test_sample_is_loaded_and_every_enterprise_is_in_the_cell_pip_picks():
    cells = gpd.read_file(DATA / "shapefiles" / "grids_level2.shp", engine="pyogrio")
    tree = shapely.STRtree(cells.geometry.values)
    rows = list(Enterprise.objects.values_list("location", "cell__code"))
    assert len(rows) == 6000
    points = shapely.points([(p.x, p.y) for p, _ in rows])
    hits = tree.query(points, predicate="covered_by")
    expected = {}
    for point_index, cell_index in hits.T:
        expected.setdefault(point_index, []).append(cells.code[cell_index])
    assert all(len(v) == 1 for v in expected.values())
    picked = [expected[i][0] if i in expected else None for i in range(len(rows))]
    assert picked == [c for _, c in rows]


def test_sample_mix_is_plausible():
    steel_town = Enterprise.objects.filter(industry_code__startswith="31")
    assert steel_town.count() > 400
    assert steel_town.filter(cell__parent__code="120118108").count() > steel_town.count() / 2
    assert Enterprise.objects.filter(hazardous_chemicals=True).count() > 200
    key = Enterprise.objects.filter(supervision_class="key")
    assert not key.filter(risk_points__isnull=True).exists()
    assert RiskPoint.objects.filter(responsible_person="").exists()
    assert Enterprise.objects.filter(site__isnull=True).exists()


def test_reimporting_grids_reassigns_enterprises(tmp_path):
    frame = gpd.read_file(DATA / "shapefiles" / "grids_level2.shp", engine="pyogrio")
    frame = frame[frame["parent"] == "120118108"].reset_index(drop=True)
    a = 0
    b = next(i for i in range(1, len(frame))
             if frame.geometry[0].intersection(frame.geometry[i]).length > 0)
    piece = frame.geometry[b].intersection(frame.geometry[a].buffer(0.002))
    inside = piece.representative_point()
    moved = enterprise_save(credit_code=code(1), location=Point(inside.x, inside.y, srid=4326),
                            name="边界测试企业", industry_code="3130")
    assert moved.cell.code == frame.code[b]
    frame.loc[a, "geometry"] = shapely.multipolygons([frame.geometry[a].union(piece)])
    frame.loc[b, "geometry"] = frame.geometry[b].difference(piece)
    path = tmp_path / "cells.shp"
    frame.to_file(path, engine="pyogrio", encoding="UTF-8")
    before = dict(Enterprise.objects.values_list("id", "cell_id"))
    import_grids(path)
    moved.refresh_from_db()
    assert moved.cell.code == frame.code[a]
    after = dict(Enterprise.objects.values_list("id", "cell_id"))
    changed = {k for k in after if after[k] != before[k]}
    assert moved.id in changed
    # Everything else still matches the point lookup.
    for enterprise in Enterprise.objects.filter(id__in=changed).select_related("cell"):
        assert cell_code_at(enterprise.location.x, enterprise.location.y)["code"] == \
            enterprise.cell.code


def test_saving_assigns_the_cell_and_moving_out_is_reported():
    enterprise = enterprise_save(credit_code=code(2), location=Point(LON, LAT, srid=4326),
                                 name="测试企业", industry_code="3130")
    assert enterprise.cell.code == cell_code_at(LON, LAT)["code"]
    Enterprise.objects.filter(pk=enterprise.pk).update(location=Point(100, 30, srid=4326))
    result = enterprises_assign_cells()
    assert [row[0] for row in result.outside] == [enterprise.pk]
    enterprise.refresh_from_db()
    assert enterprise.cell is None


def test_reassigning_everyone_joins_once_writes_once_and_agrees_with_the_single_statement():
    from django.test.utils import CaptureQueriesContext

    from gridmap.enterprises.services import ASSIGN_CELLS_SQL

    Enterprise.objects.filter(pk__in=Enterprise.objects.order_by("pk").values("pk")[:50]).update(cell=None)
    with CaptureQueriesContext(connection) as queries:
        result = enterprises_assign_cells()
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("ST_Covers" in q for q in sql) == 1 and sum(q.lstrip().startswith("UPDATE") for q in sql) == 1
    assert result.changed >= 50
    two_steps = dict(Enterprise.objects.values_list("pk", "cell_id"))
    Enterprise.objects.update(cell=None)
    with connection.cursor() as cursor:
        cursor.execute(ASSIGN_CELLS_SQL.format(only_p="", only_src=""))
    assert dict(Enterprise.objects.values_list("pk", "cell_id")) == two_steps
    assert enterprises_assign_cells().changed == 0


def test_bad_rows_are_named_and_change_nothing(tmp_path):
    rows = [
        [code(10), "好企业", "", LON, LAT, "3130", "key"],
        ["91110000600037341M", "坏代码", "", LON, LAT, "3130", "key"],
        [code(11), "无坐标", "", "", "", "3130", "key"],
        [code(12), "区外", "", 116.40, 39.90, "3130", "key"],
        [code(13), "未知行业", "", LON, LAT, "99", "key"],
        [code(14), "错误类别", "", LON, LAT, "3130", "重要"],
    ]
    message = refused(write_csv(tmp_path / "bad.csv", rows))
    assert "bad.csv 第 3 行 字段 credit_code: 统一社会信用代码校验位错误" in message
    assert "bad.csv 第 4 行 字段 lon/lat: 缺少坐标" in message
    assert "第 6 行 字段 industry_code" in message and "大类 99" in message
    assert "第 7 行 字段 supervision_class" in message
    # A 2011 class (饲料加工 became 1321 and 1329 in 2017) is refused, naming the record and field.
    feed = [code(15), "饲料企业", "", LON, LAT, "1320", "key"]
    message = refused(write_csv(tmp_path / "old_class.csv", [rows[0], feed]))
    assert "old_class.csv 第 3 行 字段 industry_code: 行业代码 1320 不是 GB/T 4754-2017 的小类" in message
    # Outside the district is found in PostGIS, once the row-level problems are fixed.
    message = refused(write_csv(tmp_path / "outside.csv", [rows[0], rows[3]]))
    assert "outside.csv 第 3 行 字段 lon/lat: 位置 (116.400000, 39.900000) 不在本区范围内" in message


def test_gbk_file_read_as_utf8_names_the_row_then_imports_with_encoding(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [[code(20), "静海钢铁有限公司", "大邱庄镇", LON, LAT,
                                             "3130", "general"]], encoding="gbk")
    message = refused(path)
    assert "gbk.csv 第 2 行 字段 name、address: 无法按 utf-8-sig 解码" in message
    assert "GBK" in message
    report = enterprises_import(path=path, encoding="gbk")
    assert report.created == 1
    assert Enterprise.objects.get(credit_code=code(20)).name == "静海钢铁有限公司"


def test_dry_run_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "ok.csv", [[code(30), "试运行企业", "", LON, LAT, "3130", ""]])
    before = table_checksum(*TABLES)
    report = enterprises_import(path=path, dry_run=True)
    assert report.created == 1 and report.dry_run
    assert table_checksum(*TABLES) == before


@pytest.mark.parametrize("crs, convert", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_xlsx_in_gcj02_and_bd09_is_converted(tmp_path, crs, convert):
    from openpyxl import Workbook

    lon, lat = (float(v) for v in convert(LON, LAT))
    book = Workbook()
    book.active.append(["企业名称", "统一社会信用代码", "经度", "纬度", "行业代码", "涉及危险化学品"])
    book.active.append(["坐标测试企业", code(40), lon, lat, 5169, "是"])
    book.save(tmp_path / "e.xlsx")
    enterprises_import(path=tmp_path / "e.xlsx", source_crs=crs)
    stored = Enterprise.objects.get(credit_code=code(40))
    assert abs(stored.location.x - LON) < 1e-6 and abs(stored.location.y - LAT) < 1e-6
    assert stored.hazardous_chemicals and stored.industry_name == "其他化工产品批发"
    assert stored.cell.code == cell_code_at(LON, LAT)["code"]


def test_gbk_shapefile_with_encoding(tmp_path):
    frame = gpd.GeoDataFrame({"name": ["独流钢管有限公司"], "credit_code": [code(50)],
                              "行业代码": ["3130"]},
                             geometry=[shapely.Point(LON, LAT)], crs=4326)
    frame.to_file(tmp_path / "f.shp", engine="pyogrio", encoding="GBK")
    (tmp_path / "f.cpg").unlink(missing_ok=True)
    assert "无法按 UTF-8 解码" in refused(tmp_path / "f.shp")
    enterprises_import(path=tmp_path / "f.shp", encoding="GBK")
    assert Enterprise.objects.get(credit_code=code(50)).name == "独流钢管有限公司"


def test_risk_points_bad_factor_refused_and_good_file_sets_level(tmp_path):
    enterprise = Enterprise.objects.filter(risk_points__isnull=True).first()
    header = ["credit_code", "name", "hazard_source", "method", "L", "E", "C", "S",
              "responsible_person", "lon", "lat"]
    x, y = enterprise.location.x, enterprise.location.y
    bad = write_csv(tmp_path / "rp.csv", [
        [enterprise.credit_code, "配电室", "配电设备", "LS", 4, "", "", 5, "张三", x, y],
        [enterprise.credit_code, "煤气", "煤气", "LEC", 4, 6, 40, "", "李四", x, y],
        [enterprise.credit_code, "远处", "煤气", "LS", 1, "", "", 1, "李四", x + 0.1, y],
    ], header=header)
    before = table_checksum(*TABLES)
    with pytest.raises(ImportRefused) as error:
        risk_points_import(path=bad)
    assert "rp.csv 第 3 行 字段 L: 因子 L 的值 4 不在 LEC 取值表中" in str(error.value)
    assert table_checksum(*TABLES) == before
    good = write_csv(tmp_path / "rp2.csv", [
        [enterprise.credit_code, "配电室", "配电设备", "LS", 4, "", "", 5, "张三", x, y],
        [enterprise.credit_code, "仓库", "货架", "LS", 2, "", "", 3, "", x, y],
    ], header=header)
    risk_points_import(path=good)
    enterprise.refresh_from_db()
    assert enterprise.risk_level == "major"
    assert list(enterprise.risk_points.values_list("level", flat=True)) == ["major", "low"]


def test_sample_import_time_is_reasonable():
    import time

    started = time.perf_counter()
    enterprises_import(path=DATA / "enterprises.csv")
    assert time.perf_counter() - started < 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enterprises_enterprise WHERE cell_id IS NULL")
        assert cursor.fetchone()[0] == 0
    assert np.isfinite(started)
