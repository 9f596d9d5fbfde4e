"""Statistics exports (CSV, Excel), and the inspection and hazard lists' rows for export jobs,
guarded against formula injection (gridmap.core.spreadsheets):
grid names come from imported files and could start with = + - @."""

from __future__ import annotations

from django.db.models import FloatField, Func, QuerySet

from gridmap.core.spreadsheets import csv_bytes, display_row, xlsx_bytes

from .models import Hazard, HazardStatus, Inspection
from .statistics import FIGURES


def _table(stats: dict, names: dict[str, str]) -> list[list]:
    header = ["网格编码", "网格名称", *[label for _, label in FIGURES]]
    rows = [[code, names.get(code, ""), *[stats["rows"][code].get(k, 0) for k, _ in FIGURES]]
            for code in sorted(stats["rows"])]
    rows.append(["合计", "", *[stats["total"][k] for k, _ in FIGURES]])
    return [header, *rows]


def export_csv(stats: dict, names: dict[str, str]) -> bytes:
    return csv_bytes(_table(stats, names))


def export_xlsx(stats: dict, names: dict[str, str]) -> bytes:
    return xlsx_bytes(_table(stats, names), title="监督检查统计", freeze="C2")


# --- the inspection and hazard lists, streamed by an export job (gridmap.jobs) ---------------

INSPECTION_COLUMNS = (
    ("id", "编号"), ("inspected_on", "检查日期"), ("kind", "类型"),
    ("enterprise_name", "企业名称"), ("credit_code", "统一社会信用代码"),
    ("grid1_name", "一级网格"), ("cell_code", "二级网格编码"), ("cell_name", "二级网格"),
    ("inspector_names", "检查人员"), ("hazard_count", "发现隐患数"), ("findings", "检查情况"),
    ("lon", "经度"), ("lat", "纬度"),
)
HAZARD_COLUMNS = (
    ("id", "编号"), ("found_on", "发现日期"), ("level", "隐患等级"), ("status", "状态"),
    ("enterprise_name", "企业名称"), ("credit_code", "统一社会信用代码"),
    ("grid1_name", "一级网格"), ("cell_code", "二级网格编码"), ("cell_name", "二级网格"),
    ("description", "隐患描述"), ("deadline", "整改期限"), ("supervised_deadline", "督办期限"),
    ("closed_on", "销号日期"), ("overdue", "逾期"), ("lon", "经度"), ("lat", "纬度"),
)
LIST_LABELS = {
    "kind": dict(Inspection.Kind.choices),
    "level": dict(Hazard.Level.choices),
    "status": dict(HazardStatus.choices),
}
INSPECTION_GEOJSON_PROPERTIES = ("id", "inspected_on", "kind", "enterprise_name", "credit_code", "cell_code",
                                 "hazard_count")
HAZARD_GEOJSON_PROPERTIES = ("id", "found_on", "level", "status", "enterprise_name", "credit_code", "cell_code",
                             "deadline", "overdue")


def _list_rows(queryset: QuerySet, columns, geom: str, chunk_size: int):
    names = [c for c, _ in columns]
    coords = {axis: Func(geom, function=f"ST_{axis.upper()}", output_field=FloatField()) for axis in ("x", "y")}
    values = queryset.annotate(lon=coords["x"], lat=coords["y"]).values_list(*names)
    yield [label for _, label in columns]
    for row in values.iterator(chunk_size=chunk_size):
        yield display_row(names, row, LIST_LABELS)


def inspection_table_rows(queryset: QuerySet, *, chunk_size: int):
    """The header, then one row per inspection of `queryset` (annotated by
    gridmap.inspections.selectors.inspections_for_export)."""
    return _list_rows(queryset, INSPECTION_COLUMNS, "position", chunk_size)


def hazard_table_rows(queryset: QuerySet, *, chunk_size: int):
    """The header, then one row per hazard of `queryset` (hazards_for_export's annotations)."""
    return _list_rows(queryset, HAZARD_COLUMNS, "location", chunk_size)
