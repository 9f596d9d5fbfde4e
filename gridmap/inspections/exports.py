"""Statistics exports (CSV, Excel) guarded against formula injection like the enterprise
exports: grid names come from imported files and could start with = + - @."""

from __future__ import annotations

import csv
import io

from gridmap.enterprises.exports import is_formula_like

from .statistics import FIGURES


def _table(stats: dict, names: dict[str, str]) -> list[list]:
    header = ["网格编码", "网格名称", *[label for _, label in FIGURES]]
    rows = [[code, names.get(code, ""), *[stats["rows"][code].get(k, 0) for k, _ in FIGURES]]
            for code in sorted(stats["rows"])]
    rows.append(["合计", "", *[stats["total"][k] for k, _ in FIGURES]])
    return [header, *rows]


def export_csv(stats: dict, names: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _table(stats, names):
        writer.writerow(["'" + v if is_formula_like(v) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(stats: dict, names: dict[str, str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "监督检查统计"
    for r, row in enumerate(_table(stats, names), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = float(value) if hasattr(value, "as_tuple") else value
            if is_formula_like(value):
                cell.data_type = "s"
                cell.quotePrefix = True
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
