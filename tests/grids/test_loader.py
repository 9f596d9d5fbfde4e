"""The grid importer: good files load, every bad file is refused by name and changes nothing."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from django.conf import settings
from django.core.management import CommandError, call_command

from gridmap.geo import coords
from gridmap.geo.readers import ImportRefused
from gridmap.grids.loader import import_grids
from gridmap.grids.models import Grid
from tests.conftest import table_checksum

SHAPEFILES = settings.BASE_DIR / "data" / "shapefiles"
TOWN = "120118108"  # 大邱庄镇
TABLES = ("grids_grid", "grids_gridassignment")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cells():
    frame = gpd.read_file(SHAPEFILES / "grids_level2.shp", engine="pyogrio")
    return frame[frame["parent"] == TOWN].reset_index(drop=True)


def write(frame, folder: Path, name="cells.shp", encoding="UTF-8", **kwargs) -> Path:
    path = folder / name
    frame.to_file(path, engine="pyogrio", encoding=encoding, **kwargs)
    return path


def refused(path, **kwargs) -> str:
    before = table_checksum(*TABLES)
    with pytest.raises(ImportRefused) as error:
        import_grids(path, **kwargs)
    assert table_checksum(*TABLES) == before
    return str(error.value)


def test_sample_is_loaded_in_full():
    assert Grid.objects.filter(level=0).count() == 1
    assert Grid.objects.filter(level=1).count() == 23
    assert Grid.objects.filter(level=2).count() == 432


def test_reimporting_the_same_file_changes_nothing(cells, tmp_path):
    report = import_grids(write(cells, tmp_path))
    assert report.unchanged == len(cells) and not report.created and not report.updated


def test_moving_a_shared_border_updates_both_cells(cells, tmp_path):
    frame = cells.copy()
    a, b = 0, next(i for i in range(1, len(frame))
                   if frame.geometry[0].intersection(frame.geometry[i]).length > 0)
    piece = frame.geometry[b].intersection(frame.geometry[a].buffer(0.002))
    assert piece.area > 0
    frame.loc[a, "geometry"] = shapely.multipolygons([frame.geometry[a].union(piece)])
    frame.loc[b, "geometry"] = frame.geometry[b].difference(piece)
    report = import_grids(write(frame, tmp_path))
    assert set(report.updated) == {frame.code[a], frame.code[b]}


def test_dry_run_reports_and_writes_nothing(cells, tmp_path):
    frame = cells.copy()
    frame.loc[0, "name"] = "改名村"
    before = table_checksum(*TABLES)
    report = import_grids(write(frame, tmp_path), dry_run=True)
    assert report.updated == [frame.code[0]]
    assert table_checksum(*TABLES) == before


def test_overlap_is_refused_naming_both_features(cells, tmp_path):
    frame = cells.copy()
    frame.loc[0, "geometry"] = frame.geometry[0].union(frame.geometry[1].buffer(-0.001))
    message = refused(write(frame, tmp_path))
    assert frame.code[0] in message and frame.code[1] in message and "重叠" in message


def test_gap_is_refused_naming_the_parent(cells, tmp_path):
    frame = cells.copy()
    frame.loc[3, "geometry"] = frame.geometry[3].buffer(-0.002)
    message = refused(write(frame, tmp_path))
    assert TOWN in message and "缺口" in message


def test_cell_outside_its_parent_is_refused(cells, tmp_path):
    frame = cells.copy()
    frame.loc[2, "geometry"] = shapely.affinity.translate(frame.geometry[2], xoff=0.3)
    message = refused(write(frame, tmp_path))
    assert f"第 3 个要素 [code={frame.code[2]}]" in message and "超出上级网格" in message


def test_invalid_ring_is_refused_and_can_be_repaired(tmp_path):
    bowtie = shapely.Polygon([(116.90, 38.90), (116.95, 38.95), (116.95, 38.90), (116.90, 38.95)])
    frame = gpd.GeoDataFrame({"code": ["X1"], "name": ["自交"], "level": [1], "parent": ["120118"]},
                             geometry=[bowtie], crs=4326)
    message = refused(write(frame, tmp_path))
    assert "[code=X1]" in message and "几何无效" in message and "Self-intersection" in message
    # Repaired, the bowtie still overlaps the stored towns, so it is still refused: by topology.
    assert "重叠" in refused(write(frame, tmp_path, "again.shp"), repair=True)


def test_duplicate_codes_are_refused(cells, tmp_path):
    frame = cells.copy()
    frame.loc[5, "code"] = frame.code[4]
    message = refused(write(frame, tmp_path))
    assert "第 6 个要素" in message and "编码重复" in message


def test_unknown_parent_is_refused(cells, tmp_path):
    frame = cells.copy()
    frame.loc[0, "parent"] = "999999999"
    assert "上级网格 999999999 不存在" in refused(write(frame, tmp_path))


def test_missing_column_is_refused(cells, tmp_path):
    frame = cells.drop(columns=["level"])
    assert "level" in refused(write(frame, tmp_path))


def test_gbk_file_read_as_utf8_names_the_feature_and_field(cells, tmp_path):
    path = write(cells, tmp_path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    message = refused(path, encoding="UTF-8")
    assert "第 1 个要素" in message and "name" in message and "GBK" in message
    # The same file without a .cpg is read as UTF-8 by default, and refused the same way.
    assert "无法按 UTF-8 解码" in refused(path)


def test_gbk_file_with_declared_encoding_imports(cells, tmp_path):
    frame = cells.copy()
    frame.loc[0, "name"] = "静海测试村"
    path = write(frame, tmp_path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    report = import_grids(path, encoding="GBK")
    assert report.updated == [frame.code[0]]
    assert Grid.objects.get(code=frame.code[0]).name == "静海测试村"


def test_gcj02_input_is_converted_to_wgs84(cells, tmp_path):
    def to_gcj(xy):
        lon, lat = coords.wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    frame = cells.copy()
    frame["geometry"] = shapely.transform(frame.geometry.values, to_gcj)
    report = import_grids(write(frame, tmp_path), source_crs="gcj02")
    # Converted back to WGS84 within a millimetre, every cell is where it was.
    assert report.read == len(cells) and not report.created
    stored = Grid.objects.current().get(code=cells.code[0]).geom
    assert shapely.hausdorff_distance(shapely.from_wkb(bytes(stored.wkb)), cells.geometry[0]) < 1e-7


def test_without_prj_the_crs_must_be_named(cells, tmp_path):
    path = write(cells, tmp_path)
    path.with_suffix(".prj").unlink()
    assert "--source-crs" in refused(path)
    assert import_grids(path, source_crs="wgs84").unchanged == len(cells)


def test_projected_metres_read_as_degrees_are_refused(cells, tmp_path):
    path = write(cells.to_crs(4548), tmp_path)
    assert "超出经纬度范围" in refused(path, source_crs="wgs84")
    # With its own .prj (CGCS2000 / GK 117E) the same file is converted and accepted.
    assert not import_grids(path).created


def test_truncated_shapefile_is_refused(cells, tmp_path):
    path = write(cells, tmp_path)
    path.with_suffix(".dbf").unlink()
    assert "缺少配套文件 .dbf" in refused(path)


def test_empty_and_missing_files_are_refused(cells, tmp_path):
    assert "文件中没有要素" in refused(write(cells.iloc[:0], tmp_path))
    assert "文件不存在" in refused(tmp_path / "nope.shp")


def test_geopackage_with_field_mapping(cells, tmp_path):
    frame = cells.rename(columns={"code": "WGDM", "name": "WGMC"}).drop(columns=["level"])
    path = tmp_path / "cells.gpkg"
    frame.to_file(path, engine="pyogrio", layer="wg")
    report = import_grids(path, layer="wg", field_map={"code": "WGDM", "name": "WGMC"}, level=2)
    assert report.unchanged == len(cells)


def test_command_reports_refusal_as_error(cells, tmp_path):
    frame = cells.copy()
    frame.loc[3, "geometry"] = frame.geometry[3].buffer(-0.002)
    with pytest.raises(CommandError, match="数据库未改变"):
        call_command("import_grids", str(write(frame, tmp_path)))
