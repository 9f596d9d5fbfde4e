"""Reading tabular files (CSV, Excel) row by row, naming rows as a spreadsheet user sees them
(the header is row 1). Vector files go through readers.py."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .readers import ImportRefused, Problem, check_archive

TABLE_FORMATS = {".csv", ".txt", ".xlsx"}
EXCEL_FORMATS = (".xlsx", ".xlsm")
# More data rows than any roster or register of the district holds by far.
MAX_ROWS = 200_000


@dataclass
class Table:
    columns: list[str]
    # (spreadsheet row number, {column: text})
    rows: list[tuple[int, dict[str, str]]]


def row_label(path: Path, number: int) -> str:
    return f"{path.name} 第 {number} 行"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _undecodable_rows(path: Path, data: bytes, encoding: str) -> list[Problem]:
    """Which rows and columns are not valid text in the encoding (a GBK file read as UTF-8)."""
    header: list[str] | None = None
    problems = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode(encoding)
            if header is None:
                header = next(csv.reader([raw.decode(encoding)]), [])
            continue
        except UnicodeDecodeError:
            pass
        cells = next(csv.reader([raw.decode("latin-1")]), [])
        names = []
        for position, cell in enumerate(cells):
            try:
                cell.encode("latin-1").decode(encoding)
            except UnicodeDecodeError:
                names.append(header[position] if header and position < len(header)
                             else f"第 {position + 1} 列")
        problems.append(Problem(
            row_label(path, number), "、".join(names) or "-",
            f"无法按 {encoding} 解码；文件的实际编码可能是 GBK，请用 --encoding 指明"))
        if len(problems) >= 20:
            break
    return problems


def _too_many_rows(path: Path, rows: int) -> ImportRefused:
    return ImportRefused([Problem(path.name, "-", f"有 {rows} 行以上，超过 {MAX_ROWS} 行上限，请拆分文件")])


def read_table(path: Path, *, encoding: str | None = None) -> Table:
    if path.suffix.lower() in EXCEL_FORMATS:
        return _read_xlsx(path)
    encoding = encoding or "utf-8-sig"
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportRefused(_undecodable_rows(path, data, encoding)) from None
    except LookupError:
        raise ImportRefused([Problem(path.name, "--encoding", f"未知编码 {encoding}")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise ImportRefused([Problem(path.name, "-", "文件为空")])
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if number > MAX_ROWS + 1:
            raise _too_many_rows(path, MAX_ROWS)
        if len(values) > len(header):
            raise ImportRefused([Problem(row_label(path, number), "-",
                                         f"有 {len(values)} 列，多于表头的 {len(header)} 列")])
        rows.append((number, {h: v.strip() for h, v in zip(header, values, strict=False)}))
    return Table(header, rows)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    check_archive(path)
    try:
        # Formulas are read as written (not their cached values) so that they can be refused.
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportRefused([Problem(path.name, "-", f"无法读取 Excel 文件：{exc}")]) from exc
    sheet = book.worksheets[0]
    # Read-only mode streams the rows; the sheet's declared size is checked first, the rows
    # are counted as they come (the declaration may be missing or false).
    if (sheet.max_row or 0) > MAX_ROWS + 1:
        book.close()
        raise _too_many_rows(path, sheet.max_row - 1)
    lines = sheet.iter_rows(values_only=True)
    header = [_cell_text(h) for h in next(lines, ())]
    rows = []
    for number, values in enumerate(lines, start=2):
        if number > MAX_ROWS + 1:
            book.close()
            raise _too_many_rows(path, MAX_ROWS)
        texts = [_cell_text(v) for v in values]
        if any(texts):
            rows.append((number, dict(zip(header, texts, strict=False))))
    book.close()
    return Table(header, rows)
