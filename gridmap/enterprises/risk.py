"""Risk scoring (安全风险分级管控), domain.md §3. Methods, factor values and bands come from
GRIDMAP_RISK_METHODS (enterprises/conf.py); decimals keep products such as 0.5 × 6 × 40 exact at bounds."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models

from .conf import app_settings


class RiskLevel(models.TextChoices):
    MAJOR = "major", "重大风险"
    LARGE = "large", "较大风险"
    GENERAL = "general", "一般风险"
    LOW = "low", "低风险"


# The risk-level order, highest first, is RiskLevel's declaration order; every ordering by
# risk (lists, clusters, legends, the SQL of the enterprise's overall level and of flood's
# impact) is derived from LEVEL_ORDER below. An unassessed enterprise (blank) comes last.
LEVEL_ORDER: tuple[str, ...] = tuple(RiskLevel.values)
SHORT_LABELS = {"major": "重大", "large": "较大", "general": "一般", "low": "低"}
# Higher is riskier: the enterprise's overall level is its highest point's.
LEVEL_RANK = {level: len(LEVEL_ORDER) - i for i, level in enumerate(LEVEL_ORDER)}
UNASSESSED_POSITION = len(LEVEL_ORDER)


def risk_order(field: str = "risk_level") -> models.Case:
    """ORM ordering expression, highest risk first (0 = major), unassessed last."""
    return models.Case(*(models.When(**{field: level}, then=models.Value(position))
                         for position, level in enumerate(LEVEL_ORDER)),
                       default=models.Value(UNASSESSED_POSITION), output_field=models.IntegerField())


def risk_order_sql(column: str) -> str:
    """The same order as a SQL expression on `column` (ORDER BY it ascending)."""
    whens = " ".join(f"WHEN '{level}' THEN {position}" for position, level in enumerate(LEVEL_ORDER))
    return f"CASE {column} {whens} ELSE {UNASSESSED_POSITION} END"


# Highest risk first, for querysets of enterprises.
RISK_ORDER = risk_order("risk_level")
TIER_LABELS = {"company": "公司级", "workshop": "车间级", "team": "班组级", "post": "岗位级"}
OPERATORS = {">": operator.gt, ">=": operator.ge}


class ScoringError(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Score:
    method: str
    factors: dict[str, Decimal]
    value: Decimal
    level: str


def methods() -> dict:
    return app_settings.RISK_METHODS


def level_for(method: str, value: Decimal) -> str:
    for level, op, bound in methods()[method]["bands"]:
        if OPERATORS[op](value, Decimal(bound)):
            return level
    return RiskLevel.LOW.value


def score(method: str, factors: dict[str, object]) -> Score:
    """Score one risk point; raise ScoringError naming the factor that is wrong."""
    method = (method or "").strip().upper()
    if method not in methods():
        raise ScoringError("method", f"评价方法 {method!r} 未配置（可用：{'、'.join(methods())}）")
    table = methods()[method]["factors"]
    values: dict[str, Decimal] = {}
    for name, allowed in table.items():
        raw = factors.get(name)
        if raw is None or str(raw).strip() == "":
            raise ScoringError(name, f"{method} 法缺少因子 {name}")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ScoringError(name, f"因子 {name} 的值 {raw!r} 不是数字") from None
        if value not in {Decimal(a) for a in allowed}:
            raise ScoringError(name, f"因子 {name} 的值 {raw} 不在 {method} 取值表中（{'、'.join(allowed)}）")
        values[name] = value
    product = Decimal(1)
    for value in values.values():
        product *= value
    return Score(method, values, product, level_for(method, product))


def control_tiers(level: str) -> tuple[str, ...]:
    return tuple(app_settings.CONTROL_TIERS.get(level, ()))


def control_tier_labels(level: str) -> str:
    return "、".join(TIER_LABELS[t] for t in control_tiers(level))


def colour(level: str) -> str:
    return app_settings.RISK_COLOURS.get(level, "#9e9e9e")
