"""The annual plan (年度监督检查计划) and its double-random draw (双随机抽查).

The draw is a pure function of the recorded seed and its inputs (candidates in id order,
certificate holders in id order, the year and the rules): re-drawing from the recorded
seed gives the same enterprises, dates and inspectors, which a digest proves.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gridmap.accounts.capabilities import ASSIGN_INSPECTIONS
from gridmap.core.history import recorded_as
from gridmap.core.locks import serialize
from gridmap.enterprises.models import Enterprise
from gridmap.enterprises.risk import LEVEL_RANK

from .conf import app_settings
from .models import AnnualPlan, EnforcementCertificate, PlanEntry, PlanVisit


@dataclass(frozen=True)
class Candidate:
    id: int
    supervision_class: str
    risk_level: str


@dataclass
class DrawnVisit:
    number: int
    planned_on: dt.date
    inspectors: list[int]


@dataclass
class DrawnEntry:
    enterprise_id: int
    supervision_class: str
    risk_level: str
    visits: list[DrawnVisit] = field(default_factory=list)


def _fill(order: list[Candidate], target: int | None, visits_by_risk: dict) -> list[Candidate]:
    """Take candidates in order while their visits fit the budget; skipping one that does
    not fit lets one-visit enterprises further down fill the budget exactly."""
    taken, left = [], target
    for cand in order:
        n = int(visits_by_risk.get(cand.risk_level, 1))
        if left is None or n <= left:
            taken.append(cand)
            left = None if left is None else left - n
        if left == 0:
            break
    return taken


def _windows(year: int, n: int) -> list[tuple[dt.date, dt.date]]:
    """n visits spread over the year: visit i falls in months [12i/n, 12(i+1)/n)."""
    out = []
    for i in range(n):
        first, last = 1 + (12 * i) // n, (12 * (i + 1)) // n
        last = max(first, last)
        out.append((dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])))
    return out


def compute_draw(*, seed: int, year: int, candidates: list[Candidate],
                 holders: list[tuple[int, dt.date, dt.date]], visits_by_risk: dict,
                 key_target: int | None, general_target: int, per_visit: int) -> list[DrawnEntry]:
    rng = random.Random(seed)
    keys = sorted((c for c in candidates if c.supervision_class == "key"), key=lambda c: c.id)
    generals = sorted((c for c in candidates if c.supervision_class != "key"), key=lambda c: c.id)
    if key_target is None:
        key_order = keys
    else:
        # With a budget below full coverage, the highest risk comes first; ties at random.
        tie = {c.id: rng.random() for c in keys}
        key_order = sorted(keys, key=lambda c: (-LEVEL_RANK.get(c.risk_level, 0), tie[c.id]))
    rng.shuffle(generals)
    chosen = _fill(key_order, key_target, visits_by_risk) + _fill(generals, general_target, visits_by_risk)
    holders = sorted(holders)
    entries = []
    for cand in chosen:
        entry = DrawnEntry(cand.id, cand.supervision_class, cand.risk_level)
        for number, (start, end) in enumerate(_windows(year, int(visits_by_risk.get(cand.risk_level, 1))), 1):
            day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
            pool = sorted({uid for uid, issued, expires in holders if issued <= day <= expires})
            if len(pool) < per_visit:
                raise ValidationError({"inspectors": f"{day} 持有效执法证的人员不足 {per_visit} 名"})
            entry.visits.append(DrawnVisit(number, day, sorted(rng.sample(pool, per_visit))))
        entries.append(entry)
    return entries


def digest(entries: list[DrawnEntry]) -> str:
    data = [[e.enterprise_id, e.supervision_class, e.risk_level,
             [[v.number, v.planned_on.isoformat(), v.inspectors] for v in e.visits]] for e in entries]
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


def plan_inputs(plan: AnnualPlan) -> dict:
    candidates = [Candidate(*row) for row in Enterprise.objects.filter(
        status=Enterprise.Status.OPERATING, cell__isnull=False).order_by("pk")
        .values_list("pk", "supervision_class", "risk_level")]
    year_start, year_end = dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31)
    holders = list(EnforcementCertificate.objects.filter(
        issued__lte=year_end, expires__gte=year_start, user__is_active=True)
        .order_by("user_id", "issued").values_list("user_id", "issued", "expires"))
    return {"seed": plan.seed, "year": plan.year, "candidates": candidates, "holders": holders,
            "visits_by_risk": plan.visits_by_risk, "key_target": plan.key_visits_target,
            "general_target": plan.general_visits_target, "per_visit": plan.inspectors_per_visit}


def redraw(plan: AnnualPlan) -> list[DrawnEntry]:
    """The draw recomputed from the plan's recorded seed and rules (nothing is written)."""
    return compute_draw(**plan_inputs(plan))


def stored_draw(plan: AnnualPlan) -> list[DrawnEntry]:
    entries = []
    for entry in plan.entries.order_by("rank").prefetch_related("plan_visits__inspectors"):
        drawn = DrawnEntry(entry.enterprise_id, entry.supervision_class, entry.risk_level)
        drawn.visits = [DrawnVisit(v.number, v.planned_on, sorted(u.pk for u in v.inspectors.all()))
                        for v in sorted(entry.plan_visits.all(), key=lambda v: v.number)]
        entries.append(drawn)
    return entries


@transaction.atomic
def plan_create(*, actor, year: int, seed: int | None = None, key_visits_target: int | None = None,
                general_visits_target: int = 0) -> AnnualPlan:
    ASSIGN_INSPECTIONS.require(actor)
    if AnnualPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year} 年度计划已存在"})
    # The seed is drawn once from the system's entropy and then recorded for good.
    seed = seed if seed is not None else random.SystemRandom().randrange(2**62)
    with recorded_as(actor, "plan_create"):
        return AnnualPlan.objects.create(
            year=year, seed=seed, key_visits_target=key_visits_target,
            general_visits_target=general_visits_target,
            visits_by_risk=dict(app_settings.PLAN_VISITS_BY_RISK),
            inspectors_per_visit=app_settings.INSPECTORS_PER_VISIT)


@transaction.atomic
def plan_draw(*, actor, plan: AnnualPlan) -> AnnualPlan:
    """Draw the plan from its recorded seed and store enterprises, visits and inspectors."""
    if actor is not None:
        ASSIGN_INSPECTIONS.require(actor)
    serialize(f"plan-draw-{plan.year}")
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.drawn_at is not None:
        raise ValidationError({"plan": "该计划已抽取；抽取结果不可重抽，只能按记录的种子复核"})
    entries = redraw(plan)
    with recorded_as(actor, "plan_draw", seed=plan.seed):
        rows = PlanEntry.objects.bulk_create([
            PlanEntry(plan=plan, enterprise_id=e.enterprise_id, supervision_class=e.supervision_class,
                      risk_level=e.risk_level, visits=len(e.visits), rank=i)
            for i, e in enumerate(entries)])
        visits = PlanVisit.objects.bulk_create([
            PlanVisit(entry=row, number=v.number, planned_on=v.planned_on)
            for row, e in zip(rows, entries, strict=True) for v in e.visits])
        through = PlanVisit.inspectors.through
        drawn_visits = [v for e in entries for v in e.visits]
        through.objects.bulk_create([through(planvisit_id=row.pk, user_id=uid)
                                     for row, v in zip(visits, drawn_visits, strict=True) for uid in v.inspectors])
        plan.drawn_at = timezone.now()
        plan.drawn_by = actor
        plan.draw_digest = digest(entries)
        plan.save()
    return plan


@transaction.atomic
def plan_make(*, actor, year: int, key_visits_target: int | None = None,
              general_visits_target: int = 0) -> AnnualPlan:
    """Create a year's plan and draw it, in one transaction: a refused draw keeps no plan."""
    plan = plan_create(actor=actor, year=year, key_visits_target=key_visits_target,
                       general_visits_target=general_visits_target)
    return plan_draw(actor=actor, plan=plan)


def plan_summary(plan: AnnualPlan) -> dict:
    from django.db.models import Count, Q, Sum

    totals = plan.entries.aggregate(
        enterprises=Count("id"), total_visits=Sum("visits"),
        key_enterprises=Count("id", filter=Q(supervision_class="key")),
        key_visits=Sum("visits", filter=Q(supervision_class="key")),
        general_enterprises=Count("id", filter=~Q(supervision_class="key")),
        general_visits=Sum("visits", filter=~Q(supervision_class="key")))
    totals["visits"] = totals.pop("total_visits")
    return {k: v or 0 for k, v in totals.items()}
