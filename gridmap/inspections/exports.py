"""Statistics exports (CSV, Excel) guarded against formula injection (gridmap.core.spreadsheets):
grid names come from imported files and could start with = + - @."""

from __future__ import annotations

from gridmap.core.spreadsheets import csv_bytes, xlsx_bytes

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
