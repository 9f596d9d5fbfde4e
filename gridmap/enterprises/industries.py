"""GB/T 4754-2017 industry classification (国民经济行业分类): every division (大类, 97), group
(中类, 473) and class (小类, 1,380) with its name, read from data/gbt4754_2017.csv.

A code is read as 2017 only: the 2011 and 2002 editions numbered some things differently
(2002: ferrous metals were 32; 2011: 1320 饲料加工 became 1321 宠物饲料加工 and 1329 其他饲料加工),
and a code that is not in the 2017 table is refused rather than guessed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

TABLE = Path(__file__).with_name("data") / "gbt4754_2017.csv"


def _load() -> dict[str, str]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


NAMES = _load()
DIVISIONS = {code: name for code, name in NAMES.items() if len(code) == 2}
GROUPS = {code: name for code, name in NAMES.items() if len(code) == 3}
CLASSES = {code: name for code, name in NAMES.items() if len(code) == 4}

CODE_RE = re.compile(r"^\d{2}(\d{1,2})?$")
LEVELS = {2: "大类", 3: "中类", 4: "小类"}


def industry_name(code: str) -> str | None:
    """The name of a 2017 division, group or class; None when the code is not in the table."""
    return NAMES.get(code or "")


def industry_problem(code: str) -> str | None:
    """Why a code is not a GB/T 4754-2017 division, group or class, in Chinese; None when it is."""
    if not code:
        return "行业代码为空"
    if not CODE_RE.match(code):
        return f"行业代码 {code!r} 应为 GB/T 4754-2017 的 2–4 位数字代码"
    if code[:2] not in DIVISIONS:
        return f"行业代码 {code} 的大类 {code[:2]} 不在 GB/T 4754-2017 中"
    if code not in NAMES:
        return (f"行业代码 {code} 不是 GB/T 4754-2017 的{LEVELS[len(code)]}"
                "（可能是 2011 或 2002 版的代码，请按 2017 版重新归类）")
    return None
