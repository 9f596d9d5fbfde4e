"""Major-accident-hazard criteria (重大事故隐患判定标准) for industry and trade enterprises,
versioned by date: a hazard is judged by the criteria in force on the day it was found.

- 安监总管四〔2017〕129号《工贸行业重大生产安全事故隐患判定标准（2017版）》: 59 items, in force
  until 14 May 2023 (data/criteria_2017.json);
- 应急管理部令第10号《工贸企业重大事故隐患判定标准》: in force from 15 May 2023, 64 items
  (Art. 3 management 3; Arts. 4–10 the seven industries 47: 8, 13, 8, 7, 7, 2 and 2; Art. 11 dust 10;
  Art. 12 liquid ammonia 2; Art. 13 confined spaces 2) and Art. 14 (a failed monitoring, alarm or protective
  device is itself a major hazard), kept as one entry without an item number
  (data/criteria_order10_2023.json). There is no 商贸 article.

The items are data, in the standards' own words; an item whose wording could not be checked
against the official text carries confirmed=False and the screen says so. Codes are ours:
"M10-<article>-<item>" (Art. 14: "M10-14") and "S17-<part>-<item>" for the 2017 standard, whose
parts are numbered in order (1–3 专项类, 4–11 行业类).

Which items an enterprise is checked against follows the sector classification of
应急厅〔2019〕17号 (GB/T 4754-2017), its special flags, and Art. 2: hazardous chemicals follow
their own criteria, so a hazardous-chemical enterprise is not offered industry items.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

DATA = Path(__file__).with_name("data")

SECTORS = {
    "management": "管理类", "metallurgy": "冶金", "nonferrous": "有色", "building_materials": "建材",
    "machinery": "机械", "light_industry": "轻工", "textile": "纺织", "tobacco": "烟草", "trade": "商贸",
    "dust": "存在粉尘爆炸危险", "ammonia": "使用液氨制冷", "confined_space": "有限空间作业",
    "devices": "监控、报警、防护设施失效",
}
INDUSTRY_SECTORS = ("metallurgy", "nonferrous", "building_materials", "machinery", "light_industry",
                    "textile", "tobacco", "trade")
# Enterprise flags (enterprises.Enterprise) that bring in the special items.
SPECIAL_FLAGS = {"dust": "dust_explosion", "ammonia": "ammonia", "confined_space": "confined_space"}

# 应急厅〔2019〕17号, by GB/T 4754-2017 code prefix; the longest matching prefix decides.
# 建材 is division 30 without 305 (glass products) and the ceramics classes 3073–3076 and 3079,
# which are light industry (日用玻璃、陶瓷 are Order No. 10 Art. 8 items). 机械 is 33–40 and 43.
SECTOR_PREFIXES = {
    "31": "metallurgy", "32": "nonferrous", "30": "building_materials",
    **{division: "machinery" for division in ("33", "34", "35", "36", "37", "38", "39", "40", "43")},
    **{division: "light_industry" for division in ("13", "14", "15", "19", "20", "21", "22", "23", "24", "29")},
    **{prefix: "light_industry" for prefix in ("305", "3073", "3074", "3075", "3076", "3079")},
    "17": "textile", "18": "textile", "16": "tobacco",
    "51": "trade", "52": "trade", "59": "trade",
}
# Metal smelting (金属冶炼): ironmaking, steelmaking, ferroalloys, non-ferrous and precious and
# rare-earth metal smelting, non-ferrous alloys. Order No. 10 Art. 3 item 3 concerns these only.
METAL_SMELTING_PREFIXES = ("311", "312", "314", "321", "322", "323", "324")
METAL_SMELTING_CODE = "M10-3-3"

HAZARDOUS_CHEMICALS_CRITERIA = (
    dt.date(2017, 11, 13),
    "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》（安监总管三〔2017〕121号）",
)


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (f"{digits[tens] if tens > 1 else ''}十" if tens else "") + (digits[ones] if ones or not tens else "")


@dataclass(frozen=True)
class Standard:
    number: str  # the document number, e.g. 应急管理部令第10号
    name: str
    effective_from: dt.date
    effective_to: dt.date | None  # the last day in force; None while in force
    source: str
    numbered_by: str  # "article" (条、项) or "part" (2017: 专项类 / 行业类 parts, numbered items)

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def citation(self) -> str:
        return f"《{self.name}》（{self.number}）"


@dataclass(frozen=True)
class Criterion:
    code: str
    standard: Standard
    article: int
    item: int | None
    title: str
    sector: str
    confirmed: bool

    @property
    def sector_label(self) -> str:
        return SECTORS[self.sector]

    @property
    def category(self) -> str:
        if self.sector == "management":
            return "management"
        if self.sector in INDUSTRY_SECTORS:
            return "industry"
        return "devices" if self.sector == "devices" else "special"

    @property
    def effective_from(self) -> dt.date:
        return self.standard.effective_from

    @property
    def effective_to(self) -> dt.date | None:
        return self.standard.effective_to

    def in_force(self, day: dt.date) -> bool:
        return self.standard.in_force(day)

    @property
    def reference(self) -> str:
        """Where the item stands in its standard, as a document cites it."""
        if self.standard.numbered_by == "article":
            where = f"第{_chinese(self.article)}条" + (f"第（{_chinese(self.item)}）项" if self.item else "")
        elif self.article <= 3:
            where = f"专项类（{_chinese(self.article)}）第{self.item}项"
        else:
            where = f"行业类（{_chinese(self.article - 3)}）第{self.item}项"
        return f"{self.standard.number}{where}"


def _load(name: str) -> tuple[Standard, list[Criterion]]:
    document = json.loads((DATA / name).read_text(encoding="utf-8"))
    to = document["effective_to"]
    standard = Standard(number=document["standard"], name=document["name"],
                        effective_from=dt.date.fromisoformat(document["effective_from"]),
                        effective_to=dt.date.fromisoformat(to) if to else None, source=document["source"],
                        numbered_by=document["numbered_by"])
    prefix = document["code_prefix"]
    items = [Criterion(
        code=f"{prefix}-{row['article']}" + (f"-{row['item']}" if row["item"] is not None else ""),
        standard=standard, article=row["article"], item=row["item"], title=row["title"],
        sector=row["sector"], confirmed=row["confirmed"]) for row in document["items"]]
    return standard, items


STANDARD_2017, _ITEMS_2017 = _load("criteria_2017.json")
ORDER_10, _ITEMS_ORDER_10 = _load("criteria_order10_2023.json")
STANDARDS = (STANDARD_2017, ORDER_10)
CRITERIA: tuple[Criterion, ...] = (*_ITEMS_2017, *_ITEMS_ORDER_10)
BY_CODE = {c.code: c for c in CRITERIA}


def criterion(code: str) -> Criterion | None:
    return BY_CODE.get(code)


def standard_on(day: dt.date) -> Standard | None:
    return next((s for s in STANDARDS if s.in_force(day)), None)


def criteria_on(day: dt.date | None = None) -> list[Criterion]:
    """Every item of the standard in force on the day (today, Asia/Shanghai, by default)."""
    day = day or timezone.localdate()
    return [c for c in CRITERIA if c.in_force(day)]


def criterion_problem(code: str, day: dt.date) -> str | None:
    """Why a code cannot be cited for a hazard found on the day, in Chinese; None when it can."""
    found = criterion(code)
    if found is None:
        return f"判定依据 {code} 不在重大事故隐患判定标准中"
    if not found.in_force(day):
        current = standard_on(day)
        now = f"当日适用{current.citation}" if current else "当日尚无工贸行业重大事故隐患判定标准"
        return f"判定依据 {code} 属{found.standard.citation}，{day:%Y-%m-%d} 不在施行期内（{now}）"
    return None


def sector_of(industry_code: str) -> str | None:
    """The 应急厅〔2019〕17号 sector of a GB/T 4754-2017 code; None outside the eight sectors."""
    code = industry_code or ""
    for length in (4, 3, 2):
        if len(code) >= length and code[:length] in SECTOR_PREFIXES:
            return SECTOR_PREFIXES[code[:length]]
    return None


def is_metal_smelter(industry_code: str) -> bool:
    return (industry_code or "").startswith(METAL_SMELTING_PREFIXES)


def referred_to(enterprise, day: dt.date | None = None) -> list[str]:
    """The criteria that apply instead (Art. 2 of Order No. 10; the 2017 standard's preamble)."""
    day = day or timezone.localdate()
    since, citation = HAZARDOUS_CHEMICALS_CRITERIA
    if getattr(enterprise, "hazardous_chemicals", False) and day >= since and standard_on(day):
        return [citation]
    return []


def checklist_for(enterprise, day: dt.date | None = None) -> list[Criterion]:
    """The items an inspection of this enterprise on the day goes through: the management
    items (the metal-smelting one for smelters only), its sector's items unless its own
    criteria apply instead, the special items its flags call for, and Art. 14."""
    day = day or timezone.localdate()
    industry_code = getattr(enterprise, "industry_code", "") or ""
    sector = None if referred_to(enterprise, day) else sector_of(industry_code)
    specials = {key for key, flag in SPECIAL_FLAGS.items() if getattr(enterprise, flag, False)}
    smelter = is_metal_smelter(industry_code)
    return [c for c in criteria_on(day)
            if (c.sector == "management" and (c.code != METAL_SMELTING_CODE or smelter))
            or c.sector == sector or c.sector in specials or c.sector == "devices"]
