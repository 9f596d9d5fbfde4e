"""Exports of a filtered enterprise list: CSV, Excel and GeoJSON.

Spreadsheet programs execute cells that start with = + - @ (and tab / CR) as formulas
(OWASP "CSV injection"); text values are neutralised: a leading apostrophe in CSV, a
quote-prefixed text cell in Excel.
"""

from __future__ import annotations

import csv
import io

from django.db.models import FloatField, Func, QuerySet

from gridmap.core.geojson import feature_collection

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
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHOICE_LABELS = {
    "supervision_class": {"key": "重点", "general": "一般"},
    "status": {"operating": "在营", "stopped": "停产", "closed": "关闭"},
}


def _rows(queryset: QuerySet):
    names = [c for c, _ in COLUMNS]
    coords = {axis: Func("location", function=f"ST_{axis.upper()}", output_field=FloatField())
              for axis in ("x", "y")}
    for row in queryset.annotate(lon=coords["x"], lat=coords["y"]).values_list(*names):
        values = []
        for name, value in zip(names, row, strict=True):
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif name in CHOICE_LABELS:
                value = CHOICE_LABELS[name].get(value, value)
            values.append(value)
        yield values


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def export_csv(queryset: QuerySet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _, label in COLUMNS])
    for values in _rows(queryset):
        writer.writerow(["'" + v if is_formula_like(v) else v for v in values])
    # A BOM so that Excel on Chinese Windows opens UTF-8 as UTF-8, not GBK.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(queryset: QuerySet) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "企业"
    sheet.append([label for _, label in COLUMNS])
    for r, values in enumerate(_rows(queryset), start=2):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if is_formula_like(value):
                # openpyxl stores "=..." strings as formulas; force text, shown as typed.
                cell.data_type = "s"
                cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_geojson(queryset: QuerySet) -> str:
    return feature_collection(queryset, geom="location", properties=GEOJSON_PROPERTIES)
