"""The annual plan (年度监督检查计划) and its double-random draw (双随机抽查).

The draw is a pure function of the recorded seed and its inputs (candidates in id order,
certificate holders in id order, the year and the rules): re-drawing from the recorded
seed gives the same enterprises, dates and inspectors, which a digest proves.

A drawn plan is a draft until the bureau's leader approves it (APPROVE_PLANS); from then on
each visit becomes an inspection task for its drawn pair when its window opens
(`plan_tasks_open`, run daily and at approval).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Prefetch, Q, Sum, Value, When
from django.utils import timezone

from gridmap.accounts.capabilities import APPROVE_PLANS, ASSIGN_INSPECTIONS
from gridmap.core.history import recorded_as
from gridmap.core.locks import serialize
from gridmap.enterprises.models import Enterprise
from gridmap.enterprises.risk import LEVEL_RANK

from .conf import app_settings
from .models import AnnualPlan, EnforcementCertificate, InspectionTask, PlanEntry, PlanVisit


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
    window: tuple[dt.date, dt.date]


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


def windows(year: int, n: int) -> list[tuple[dt.date, dt.date]]:
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
        for number, (start, end) in enumerate(windows(year, int(visits_by_risk.get(cand.risk_level, 1))), 1):
            day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
            pool = sorted({uid for uid, issued, expires in holders if issued <= day <= expires})
            if len(pool) < per_visit:
                raise ValidationError({"inspectors": f"{day} 持有效执法证的人员不足 {per_visit} 名"})
            entry.visits.append(DrawnVisit(number, day, sorted(rng.sample(pool, per_visit)), (start, end)))
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
        drawn.visits = [DrawnVisit(v.number, v.planned_on, sorted(u.pk for u in v.inspectors.all()),
                                   (v.window_start, v.window_end))
                        for v in sorted(entry.plan_visits.all(), key=lambda v: v.number)]
        entries.append(drawn)
    return entries


def _new_plan(*, year: int, seed: int, key_visits_target: int | None, general_visits_target: int) -> AnnualPlan:
    if AnnualPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year} 年度计划已存在"})
    return AnnualPlan(year=year, seed=seed, key_visits_target=key_visits_target,
                      general_visits_target=general_visits_target,
                      visits_by_risk=dict(app_settings.PLAN_VISITS_BY_RISK),
                      inspectors_per_visit=app_settings.INSPECTORS_PER_VISIT)


def new_seed() -> int:
    # The seed is drawn once from the system's entropy and then recorded for good.
    return random.SystemRandom().randrange(2**62)


@transaction.atomic
def plan_create(*, actor, year: int, seed: int | None = None, key_visits_target: int | None = None,
                general_visits_target: int = 0) -> AnnualPlan:
    ASSIGN_INSPECTIONS.require(actor)
    plan = _new_plan(year=year, seed=seed if seed is not None else new_seed(),
                     key_visits_target=key_visits_target, general_visits_target=general_visits_target)
    with recorded_as(actor, "plan_create"):
        plan.save()
    return plan


def plan_preview(*, actor, year: int, seed: int, key_visits_target: int | None = None,
                 general_visits_target: int = 0) -> dict:
    """What drawing would give (enterprises and visits, key and general), for the
    confirmation step; nothing is written. Refuses as the draw itself would."""
    ASSIGN_INSPECTIONS.require(actor)
    plan = _new_plan(year=year, seed=seed, key_visits_target=key_visits_target,
                     general_visits_target=general_visits_target)
    entries = redraw(plan)
    key = [e for e in entries if e.supervision_class == "key"]
    general = [e for e in entries if e.supervision_class != "key"]
    return {"year": year, "enterprises": len(entries), "visits": sum(len(e.visits) for e in entries),
            "key_enterprises": len(key), "key_visits": sum(len(e.visits) for e in key),
            "general_enterprises": len(general), "general_visits": sum(len(e.visits) for e in general)}


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
            PlanVisit(entry=row, number=v.number, planned_on=v.planned_on,
                      window_start=v.window[0], window_end=v.window[1])
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
def plan_make(*, actor, year: int, seed: int | None = None, key_visits_target: int | None = None,
              general_visits_target: int = 0) -> AnnualPlan:
    """Create a year's plan and draw it, in one transaction: a refused draw keeps no plan."""
    plan = plan_create(actor=actor, year=year, seed=seed, key_visits_target=key_visits_target,
                       general_visits_target=general_visits_target)
    return plan_draw(actor=actor, plan=plan)


def plan_summary(plan: AnnualPlan) -> dict:
    totals = plan.entries.aggregate(
        enterprises=Count("id"), total_visits=Sum("visits"),
        key_enterprises=Count("id", filter=Q(supervision_class="key")),
        key_visits=Sum("visits", filter=Q(supervision_class="key")),
        general_enterprises=Count("id", filter=~Q(supervision_class="key")),
        general_visits=Sum("visits", filter=~Q(supervision_class="key")))
    totals["visits"] = totals.pop("total_visits")
    return {k: v or 0 for k, v in totals.items()}


@transaction.atomic
def plan_approve(*, actor, plan: AnnualPlan, today: dt.date | None = None) -> AnnualPlan:
    """The leader's approval (草稿 → 已批准): the plan takes effect, and the visits whose
    window has already opened become tasks at once."""
    APPROVE_PLANS.require(actor)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.drawn_at is None:
        raise ValidationError({"plan": f"{plan} 尚未抽取，不能批准"})
    if plan.status != AnnualPlan.Status.DRAFT:
        raise ValidationError({"plan": f"{plan} 已于 {timezone.localtime(plan.approved_at):%Y-%m-%d} 批准"})
    with recorded_as(actor, "plan_approve"):
        plan.status = AnnualPlan.Status.APPROVED
        plan.approved_at = timezone.now()
        plan.approved_by = actor
        plan.save(update_fields=["status", "approved_at", "approved_by"])
    plan_tasks_open(on=today or timezone.localdate(), plan=plan, actor=actor)
    return plan


@transaction.atomic
def plan_tasks_open(*, on: dt.date, plan: AnnualPlan | None = None, actor=None) -> int:
    """Every visit of an approved plan whose window has opened by `on` becomes a task for its
    drawn pair (the first as assignee, the second as co-assignee), due at the window's end.
    A visit gets one task only: running again (daily, or after an approval) adds none twice.
    Returns the number of tasks made."""
    serialize("plan-tasks-open")
    visits = PlanVisit.objects.filter(
        entry__plan__status=AnnualPlan.Status.APPROVED, window_start__lte=on, task__isnull=True,
        entry__enterprise__cell__isnull=False)
    if plan is not None:
        visits = visits.filter(entry__plan=plan)
    visits = (visits.select_related("entry__enterprise", "entry__plan").prefetch_related("inspectors")
              .order_by("window_start", "id"))
    tasks = []
    for visit in visits:
        pair = sorted(u.pk for u in visit.inspectors.all())
        enterprise = visit.entry.enterprise
        tasks.append(InspectionTask(
            enterprise=enterprise, cell_id=enterprise.cell_id, plan=visit.entry.plan, plan_visit=visit,
            period=f"{visit.entry.plan.year}-V{visit.number}", assignee_id=pair[0],
            co_assignee_id=pair[1] if len(pair) > 1 else None, assigned_by=actor, due_date=visit.window_end,
            note=f"年度计划第 {visit.number} 次检查（计划日期 {visit.planned_on:%Y-%m-%d}）",
            district_code=enterprise.district_code))
    with recorded_as(actor, "plan_tasks_open", on=on.isoformat()):
        InspectionTask.objects.bulk_create(tasks)
    return len(tasks)


# --- the plan's visits and their execution ---------------------------------------------------

class VisitState:
    DONE, LATE, TO_COME = "done", "late", "to_come"
    LABELS = {"done": "已完成", "late": "逾期未完成", "to_come": "待检查"}


def plan_visits_listed(plan: AnnualPlan, *, today: dt.date, grid: str = "", supervision_class: str = "",
                       month: int | None = None, state: str = "", text: str = ""):
    """The plan's visits with their enterprise, window, drawn pair, task and state, filtered."""
    done = Q(task__status="done")
    visits = (PlanVisit.objects.filter(entry__plan=plan)
              .select_related("entry__enterprise__cell__parent", "task")
              .prefetch_related(Prefetch("inspectors", queryset=get_user_model().objects.order_by("pk")))
              .annotate(state=Case(When(done, then=Value(VisitState.DONE)),
                                   When(window_end__lt=today, then=Value(VisitState.LATE)),
                                   default=Value(VisitState.TO_COME), output_field=CharField()),
                        grid_code=F("entry__enterprise__cell__parent__code"))
              .order_by("planned_on", "entry__rank", "number"))
    if grid:
        visits = visits.filter(grid_code=grid)
    if supervision_class in ("key", "general"):
        visits = visits.filter(entry__supervision_class="key") if supervision_class == "key" else \
            visits.exclude(entry__supervision_class="key")
    if month:
        visits = visits.filter(planned_on__month=month)
    if state in VisitState.LABELS:
        visits = visits.filter(state=state)
    if text:
        visits = visits.filter(Q(entry__enterprise__name__icontains=text) | Q(entry__enterprise__credit_code=text))
    return visits


EXECUTION_SQL = """
SELECT g1.code, g1.name, EXTRACT(MONTH FROM v.planned_on)::int AS month,
       count(*) FILTER (WHERE t.status = 'done') AS done,
       count(*) FILTER (WHERE t.status IS DISTINCT FROM 'done' AND v.window_end < %(today)s) AS late,
       count(*) FILTER (WHERE t.status IS DISTINCT FROM 'done' AND v.window_end >= %(today)s) AS to_come
FROM inspections_planvisit AS v
JOIN inspections_planentry AS e ON e.id = v.entry_id
JOIN enterprises_enterprise AS ent ON ent.id = e.enterprise_id
LEFT JOIN grids_grid AS cell ON cell.id = ent.cell_id
LEFT JOIN grids_grid AS g1 ON g1.id = cell.parent_id
LEFT JOIN inspections_inspectiontask AS t ON t.plan_visit_id = v.id
WHERE e.plan_id = %(plan)s
GROUP BY g1.code, g1.name, month
ORDER BY g1.code NULLS LAST, month
"""


def plan_execution(plan: AnnualPlan, *, today: dt.date) -> dict:
    """The plan carried out, by level-I grid (the enterprise's) and month of the planned date:
    done (its task is done), late (not done and its window has closed) and still to come,
    counted in one SQL query. Rows are grids with twelve months each, plus a total row."""
    with connection.cursor() as cursor:
        cursor.execute(EXECUTION_SQL, {"plan": plan.pk, "today": today})
        records = cursor.fetchall()
    blank = {"done": 0, "late": 0, "to_come": 0}
    rows, total = {}, {m: dict(blank) for m in range(1, 13)}
    for code, name, month, done, late, to_come in records:
        row = rows.setdefault(code, {"code": code or "", "name": name or "未划入网格",
                                     "months": {m: dict(blank) for m in range(1, 13)}, "sum": dict(blank)})
        for key, value in (("done", done), ("late", late), ("to_come", to_come)):
            row["months"][month][key] += value
            row["sum"][key] += value
            total[month][key] += value
    grand = {key: sum(m[key] for m in total.values()) for key in blank}
    return {"rows": list(rows.values()), "total": total, "sum": grand}
