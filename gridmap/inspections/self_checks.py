"""An enterprise's check items (自查项目) and when each is due.

Each risk point's control measures become one item per control tier that controls the point
(管控层级: a major risk is controlled by the company, workshop, team and post), checked at that
tier's frequency; the major-hazard criteria items the enterprise's inspection would go through
on the day (criteria.checklist_for: the standard in force, its sector, its flags) are checked
monthly. Frequencies are data (data/check_frequencies.json).

An item is due on the last day of the current period (today, this week, this month) unless it
was checked in that period; then on the last day of the next one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from gridmap.enterprises.models import Enterprise, RiskPoint
from gridmap.enterprises.risk import TIER_LABELS, control_tiers

from .criteria import checklist_for

FREQUENCIES = json.loads((Path(__file__).parent / "data" / "check_frequencies.json").read_text(encoding="utf-8"))
TIER_FREQUENCY: dict[str, str] = FREQUENCIES["tiers"]
CRITERIA_FREQUENCY: str = FREQUENCIES["criteria"]
FREQUENCY_LABELS: dict[str, str] = FREQUENCIES["labels"]
MEASURE_FIELDS = (("measures_engineering", "工程技术"), ("measures_management", "管理"),
                  ("measures_training", "培训教育"), ("measures_ppe", "个体防护"), ("measures_emergency", "应急处置"))


@dataclass(frozen=True)
class CheckItem:
    code: str
    title: str
    frequency: str  # day | week | month
    major_criterion: bool  # a hazard found here is judged by a major-hazard criterion

    @property
    def frequency_label(self) -> str:
        return FREQUENCY_LABELS[self.frequency]


def period_of(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the period (day, week, month) the day falls in."""
    if frequency == "day":
        return day, day
    if frequency == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


def point_code(point: RiskPoint, tier: str) -> str:
    return f"RP{point.number}-{tier}"


def _measures(point: RiskPoint) -> str:
    parts = [f"{label}：{getattr(point, name).strip()}" for name, label in MEASURE_FIELDS
             if getattr(point, name).strip()]
    return "；".join(parts) or "管控措施落实情况"


def check_items(enterprise: Enterprise, day: dt.date | None = None,
                points: list[RiskPoint] | None = None) -> list[CheckItem]:
    """The enterprise's check items on a day (criteria in force that day); `points`, its risk
    points by number when the caller has read them already (the sample, for 6,000 at once)."""
    day = day or timezone.localdate()
    items = []
    for point in enterprise.risk_points.order_by("number") if points is None else points:
        for tier in control_tiers(point.level):
            items.append(CheckItem(point_code(point, tier),
                                   f"{point.name}（{TIER_LABELS[tier]}管控）：{_measures(point)}"[:500],
                                   TIER_FREQUENCY[tier], False))
    for criterion in checklist_for(enterprise, day):
        items.append(CheckItem(criterion.code, f"{criterion.title}（{criterion.reference}）",
                               CRITERIA_FREQUENCY, True))
    return items


def last_checked(enterprise_id: int) -> dict[str, dt.date]:
    """Each item's last self-inspection day."""
    from .models import SelfInspection

    last: dict[str, dt.date] = {}
    for checked_on, items in (SelfInspection.objects.filter(enterprise_id=enterprise_id)
                              .order_by("checked_on").values_list("checked_on", "items")):
        for item in items:
            last[item["code"]] = checked_on
    return last


def due_on(item: CheckItem, last: dt.date | None, day: dt.date) -> dt.date:
    start, end = period_of(item.frequency, day)
    if last is not None and start <= last <= end:
        return period_of(item.frequency, end + dt.timedelta(days=1))[1]
    return end


def items_with_due(enterprise: Enterprise, day: dt.date | None = None) -> list[dict]:
    """[{code, title, frequency, due, ...}] as the API and the enterprise's pages show them."""
    day = day or timezone.localdate()
    last = last_checked(enterprise.pk)
    rows = []
    for item in check_items(enterprise, day):
        due = due_on(item, last.get(item.code), day)
        rows.append({"code": item.code, "title": item.title, "frequency": item.frequency,
                     "frequency_label": item.frequency_label, "due": due,
                     "due_today": due == day, "last_checked": last.get(item.code),
                     "major_criterion": item.major_criterion})
    return rows
