"""Tables as CSV and Excel files for download, safe to open.

Spreadsheet programs execute cells that start with = + - @ (and tab / CR) as formulas
(OWASP "CSV injection"); text values are neutralised: a leading apostrophe in CSV, a
quote-prefixed text cell in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def display_row(names: Sequence[str], row: Sequence, labels: dict[str, dict]) -> list:
    """A record's values as a table shows them: yes/no for booleans, a choice's label for
    the columns in `labels`."""
    values = []
    for name, value in zip(names, row, strict=True):
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif name in labels:
            value = labels[name].get(value, value)
        values.append(value)
    return values


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_bytes(rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["'" + v if is_formula_like(v) else v for v in row])
    # A BOM so that Excel on Chinese Windows opens UTF-8 as UTF-8, not GBK.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: Iterable[Sequence], *, title: str, freeze: str) -> bytes:
    """One sheet named `title`, panes frozen at `freeze` (e.g. "A2": the header row)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = float(value) if hasattr(value, "as_tuple") else value  # Decimal
            if is_formula_like(value):
                # openpyxl stores "=..." strings as formulas; force text, shown as typed.
                cell.data_type = "s"
                cell.quotePrefix = True
    sheet.freeze_panes = freeze
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe_csv_row(row: Sequence) -> list:
    return ["'" + v if is_formula_like(v) else v for v in row]


def write_csv(rows: Iterable[Sequence], stream) -> None:
    """Rows to a text stream opened with encoding utf-8, one at a time (as csv_bytes, with
    its BOM), so that a file of any length is written in constant memory."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow(_safe_csv_row(row))


def write_xlsx(rows: Iterable[Sequence], path, *, title: str, freeze: str) -> None:
    """Rows to an .xlsx file at `path` with openpyxl's write-only workbook: each row goes to
    a temporary file as it comes, so memory does not grow with the rows (as xlsx_bytes, with
    formula-like text kept as text)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = freeze
    for row in rows:
        cells = []
        for value in row:
            if is_formula_like(value):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cell.quotePrefix = True
                cells.append(cell)
            else:
                cells.append(float(value) if hasattr(value, "as_tuple") else value)  # Decimal
        sheet.append(cells)
    book.save(path)
