"""Exports of a filtered enterprise list: CSV, Excel (both safe against formula
injection, gridmap.core.spreadsheets) and GeoJSON."""

from __future__ import annotations

from django.db.models import FloatField, Func, QuerySet

from gridmap.core.geojson import feature_collection
from gridmap.core.spreadsheets import csv_bytes, display_row, xlsx_bytes

COLUMNS = (
    ("credit_code", "统一社会信用代码"), ("name", "企业名称"), ("address", "地址"),
    ("grid1_name", "一级网格"), ("cell_code", "二级网格编码"), ("cell_name", "二级网格"),
    ("industry_code", "行业代码"), ("industry_name", "行业名称"),
    ("supervision_class", "检查类别"), ("status", "状态"), ("risk_level_name", "风险等级"),
    ("point_count", "风险点数"), ("register_complete", "一企一册完整"),
    ("hazardous_chemicals", "涉及危险化学品"), ("legal_representative", "法定代表人"),
    ("safety_contact", "安全负责人"), ("safety_phone", "安全负责人电话"),
    ("lon", "经度"), ("lat", "纬度"),
)
GEOJSON_PROPERTIES = ("name", "credit_code", "cell_code", "risk_level", "risk_level_name",
                      "industry_code", "industry_name", "supervision_class", "status",
                      "point_count", "register_complete")
CHOICE_LABELS = {
    "supervision_class": {"key": "重点", "general": "一般"},
    "status": {"operating": "在营", "stopped": "停产", "closed": "关闭"},
}


def _rows(queryset: QuerySet, chunk_size: int | None = None):
    """The rows as lists of display values; with `chunk_size`, read through a server-side
    cursor that many at a time (a job's export of any size), else all at once."""
    names = [c for c, _ in COLUMNS]
    coords = {axis: Func("location", function=f"ST_{axis.upper()}", output_field=FloatField())
              for axis in ("x", "y")}
    values = queryset.annotate(lon=coords["x"], lat=coords["y"]).values_list(*names)
    for row in (values.iterator(chunk_size=chunk_size) if chunk_size else values):
        yield display_row(names, row, CHOICE_LABELS)


HEADER = [label for _, label in COLUMNS]


def table_rows(queryset: QuerySet, *, chunk_size: int):
    """The header, then one row per enterprise, streamed (gridmap.jobs' exports)."""
    yield HEADER
    yield from _rows(queryset, chunk_size)


def _table(queryset: QuerySet):
    yield HEADER
    yield from _rows(queryset)


def export_csv(queryset: QuerySet) -> bytes:
    return csv_bytes(_table(queryset))


def export_xlsx(queryset: QuerySet) -> bytes:
    return xlsx_bytes(_table(queryset), title="企业", freeze="A2")


def export_geojson(queryset: QuerySet) -> str:
    return feature_collection(queryset, geom="location", properties=GEOJSON_PROPERTIES)
