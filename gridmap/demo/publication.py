"""The sample year's key list, its plan carried out, and what was made public (2019).

The report plans 382 key visits and says key enterprises are all covered: the key list is
therefore as long as those visits reach (red enterprises are visited quarterly, orange
twice, others once), 250 enterprises of which 25 red. The generated registers rate far more
enterprises red than a district has; those outside the key list are re-rated orange.
The report's credit lists are reproduced exactly: 20 enterprises reported to the
market-entity credit publicity system and 35 exposed on the bureau's WeChat account.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from gridmap.enterprises.models import Enterprise, RiskPoint
from gridmap.enterprises.risk import methods, score
from gridmap.enterprises.services import enterprises_refresh_risk_level
from gridmap.inspections.conf import app_settings as inspection_settings
from gridmap.inspections.models import (
    AnnualPlan,
    CreditListing,
    EnforcementDocument,
    Exposure,
    InspectionTask,
    Publication,
)
from gridmap.inspections.planning import plan_approve
from gridmap.inspections.publication import working_days_after

SEED = 20190102
KEY_VISITS = 382
KEY_RED, KEY_ORANGE = 25, 57
CREDIT_PUBLICITY, WECHAT_EXPOSED = 20, 35
DONE_SHARE = 0.96
# 《中华人民共和国安全生产法》as amended in 2014, in force in 2019 (the 2021 amendment renumbered it).
LAW = "《中华人民共和国安全生产法》（2014年修正）"
# Penalty facts by the largest fine their article allows (articles 94, 96: up to 50,000 yuan;
# 98: up to 100,000; 99: 100,000–500,000 after refusing to remove a hazard).
VIOLATIONS = (
    (Decimal(50_000), (
        ("未按照规定对从业人员进行安全生产教育和培训", "第九十四条第（三）项"),
        ("特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业", "第九十四条第（七）项"),
        ("未在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志", "第九十六条第（一）项"),
        ("未对安全设备进行经常性维护、保养和定期检测", "第九十六条第（三）项"),
    )),
    (Decimal(100_000), (
        ("未建立事故隐患排查治理制度", "第九十八条第（四）项"),
        ("进行吊装等危险作业，未安排专门人员进行现场安全管理", "第九十八条第（三）项"),
    )),
    (Decimal(500_000), (
        ("未采取措施消除事故隐患，经责令限期消除后拒不执行", "第九十九条"),
    )),
)
INSPECTION_ARTICLE = f"{LAW}第六十二条"
# The blacklist takes enterprises of the heaviest fines (article 99: a hazard not removed after
# an order to remove it).
UNTRUSTWORTHY = "列为安全生产领域失信生产经营单位"
BLACKLIST = (
    (f"拒不执行责令限期消除事故隐患指令并受到行政处罚，{UNTRUSTWORTHY}", None),
    (f"拒不执行安全监管执法指令，{UNTRUSTWORTHY}", "已履行处罚决定并完成整改，经申请信用修复，移出名单"),
    (f"事故隐患经责令限期消除后拒不消除，{UNTRUSTWORTHY}", None),
    (f"拒不消除事故隐患且逾期未履行处罚决定，{UNTRUSTWORTHY}", "已缴清罚款、消除隐患，信用修复后移出名单"),
)


def _down_to(method: str, factors: dict, bound: Decimal, factor: str) -> dict:
    """The factors with `factor` lowered to the largest value of its table that keeps the
    product at or below `bound` (a re-assessment one level down)."""
    allowed = sorted((Decimal(v) for v in methods()[method]["factors"][factor]), reverse=True)
    rest = Decimal(1)
    for name, value in factors.items():
        if name != factor:
            rest *= value
    value = next((v for v in allowed if v * rest <= bound), allowed[-1])
    return {**factors, factor: value}


def _re_rate_red_points(kept_red: set[int]) -> None:
    points = list(RiskPoint.objects.filter(level="major").exclude(enterprise_id__in=kept_red))
    for point in points:
        if point.method == "LS":
            factors = _down_to("LS", {"L": point.factor_l, "S": point.factor_s}, Decimal(16), "S")
            point.factor_s = factors["S"]
        else:
            factors = _down_to("LEC", {"L": point.factor_l, "E": point.factor_e, "C": point.factor_c},
                               Decimal(320), "C")
            point.factor_c = factors["C"]
        result = score(point.method, factors)
        point.score, point.level = result.value, result.level
    RiskPoint.objects.bulk_update(points, ["factor_c", "factor_s", "score", "level"], batch_size=500)
    enterprises_refresh_risk_level(ids=sorted({p.enterprise_id for p in points}))


def sample_key_list_calibrate(*, visits_by_risk: dict) -> None:
    """The 2019 key list: as many key enterprises as the 382 key visits cover, 25 of them red."""
    rng = random.Random(SEED)
    by_level = defaultdict(list)
    for pk, level in (Enterprise.objects.filter(supervision_class="key", status=Enterprise.Status.OPERATING,
                                                cell__isnull=False).order_by("pk").values_list("pk", "risk_level")):
        by_level[level].append(pk)
    red = rng.sample(by_level["major"], KEY_RED)
    orange = rng.sample(by_level["large"], KEY_ORANGE)
    others = by_level["general"] + by_level["low"] + by_level[""]
    once = KEY_VISITS - KEY_RED * visits_by_risk["major"] - KEY_ORANGE * visits_by_risk["large"]
    key = red + orange + rng.sample(sorted(others), once)
    Enterprise.objects.filter(supervision_class="key").exclude(pk__in=key).update(supervision_class="general")
    _re_rate_red_points(set(red))


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _plan_carried_out(plan: AnnualPlan, rng: random.Random) -> None:
    """The leader approved the plan before the year began; its visits became tasks of the drawn
    pairs, nearly all done on their planned day, a few still open after their window."""
    leader = get_user_model().objects.get(username="admin")
    plan_approve(actor=leader, plan=plan, today=dt.date(plan.year, 12, 31))
    AnnualPlan.objects.filter(pk=plan.pk).update(approved_at=_at(dt.date(plan.year - 1, 12, 28)))
    tasks = list(InspectionTask.objects.filter(plan=plan).select_related("plan_visit").order_by("pk"))
    for task in tasks:
        if rng.random() < DONE_SHARE:
            task.status, task.finished_at = "done", _at(task.plan_visit.planned_on)
    InspectionTask.objects.bulk_update(tasks, ["status", "finished_at"], batch_size=500)


def _violation(amount: Decimal, rng: random.Random) -> tuple[str, str]:
    for ceiling, facts in VIOLATIONS:
        if amount <= ceiling:
            fact, article = rng.choice(facts)
            return fact, f"{LAW}{article}"
    raise ValueError(amount)


def _publications(plan: AnnualPlan, rng: random.Random) -> list[Publication]:
    decisions = list(EnforcementDocument.objects.filter(
        kind="penalty_decision", status="issued", issued_on__year=plan.year).order_by("pk"))
    rows = []
    for document in decisions:
        fact, basis = _violation(document.fine_amount, rng)
        rows.append(Publication(
            kind=Publication.Kind.PENALTY_DECISION, enterprise_id=document.enterprise_id, cell_id=document.cell_id,
            document=document, decided_on=document.issued_on,
            published_on=working_days_after(document.issued_on, rng.randint(1, 7)),
            findings=fact, legal_basis=basis, decision=f"罚款人民币 {int(document.fine_amount):,} 元",
            district_code=document.district_code))
    checks = (InspectionTask.objects.filter(plan=plan, status="done", plan_visit__entry__supervision_class="general")
              .select_related("plan_visit").order_by("pk"))
    for task in checks:
        day = timezone.localtime(task.finished_at).date()
        found = rng.random() < 0.3
        rows.append(Publication(
            kind=Publication.Kind.RANDOM_CHECK, enterprise_id=task.enterprise_id, cell_id=task.cell_id,
            plan_visit=task.plan_visit, decided_on=day, published_on=working_days_after(day, rng.randint(1, 7)),
            findings=f"发现一般事故隐患 {rng.randint(1, 4)} 项" if found else "未发现安全生产违法行为和事故隐患",
            legal_basis=INSPECTION_ARTICLE,
            decision="责令限期整改，复查合格" if found else "无需处理",
            district_code=task.district_code))
    return Publication.objects.bulk_create(rows)


def _credit_lists(plan: AnnualPlan, publications: list[Publication], rng: random.Random) -> None:
    year_end = dt.date(plan.year, 12, 31)
    decisions = [p for p in publications if p.kind == Publication.Kind.PENALTY_DECISION
                 and p.published_on <= year_end - dt.timedelta(days=10)]
    decisions.sort(key=lambda p: (-p.document.fine_amount, p.pk))
    listings = [CreditListing(
        kind=CreditListing.Kind.CREDIT_PUBLICITY, enterprise_id=p.enterprise_id, cell_id=p.cell_id,
        entered_on=p.published_on + dt.timedelta(days=rng.randint(0, 5)),
        reason=f"受到行政处罚（{p.document.number}），处罚信息报送市场主体信用信息公示系统",
        district_code=p.district_code) for p in decisions[:CREDIT_PUBLICITY]]
    for p, (reason, exit_reason) in zip(decisions[CREDIT_PUBLICITY:], BLACKLIST, strict=False):
        entered = p.published_on + dt.timedelta(days=rng.randint(3, 8))
        listings.append(CreditListing(
            kind=CreditListing.Kind.BLACKLIST, enterprise_id=p.enterprise_id, cell_id=p.cell_id,
            entered_on=entered, reason=reason, district_code=p.district_code,
            exited_on=entered + dt.timedelta(days=rng.randint(120, 240)) if exit_reason else None,
            exit_reason=exit_reason or ""))
    CreditListing.objects.bulk_create(listings)
    exposures = list(Exposure.objects.filter(exposed_on__year=plan.year).order_by("pk").values_list("pk", flat=True))
    Exposure.objects.filter(pk__in=rng.sample(exposures, WECHAT_EXPOSED)).update(
        medium=inspection_settings.WECHAT_MEDIUM)


def sample_plan_and_publication_load(plan: AnnualPlan) -> None:
    """After the year's documents and exposures exist: the plan carried out, the decisions and
    random inspection results published, the credit lists."""
    rng = random.Random(SEED + 1)
    _plan_carried_out(plan, rng)
    publications = _publications(plan, rng)
    _credit_lists(plan, publications, rng)
