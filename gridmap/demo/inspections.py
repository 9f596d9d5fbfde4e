"""The sample year (2019) of inspections, generated deterministically (fixed seed).

Figures the 2019 annual report gives as small counts are reproduced exactly (plan 610 visits:
382 key, 228 general; 306 enterprises fined, 7.42 million yuan; 127 stops; 71 sets of equipment
ordered out of use (责令暂时停止使用, not 查封扣押); 280 exposed; 201 summoned; 62 legal reviews;
203 reports handled). Supervision inspections and re-inspections are done by pairs of
certified law-enforcement staff; grid officers' patrols (巡查) and the leads they found
(隐患线索, pending or dismissed) are beside them and count in no figure. The large counts
(53,000 inspections, 88,000 hazards, 25,000 documents) are scaled about 1:20 so that the sample
loads in seconds. Rows are written with bulk_create, not the services, for speed; the data
obey the same rules (closed hazards have a re-inspection, major penalties a legal review
dated before issue, signers hold a certificate valid on the date).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from gridmap.accounts.models import Role
from gridmap.enterprises.models import Enterprise
from gridmap.inspections.criteria import checklist_for
from gridmap.inspections.models import (
    AnnualPlan,
    EnforcementCertificate,
    EnforcementDocument,
    Exposure,
    Hazard,
    Inspection,
    LegalReview,
    Report,
    Summons,
)
from gridmap.inspections.planning import plan_draw
from gridmap.inspections.services import cell_officers

from .publication import sample_key_list_calibrate, sample_plan_and_publication_load

YEAR = 2019
SEED = 20190101
SCALE = 20
TARGETS = {"inspections": 53_000 // SCALE, "hazards": 88_000 // SCALE, "documents": 25_000 // SCALE,
           "fined": 306, "fines_total": Decimal("7420000"), "major_penalties": 62, "stops": 127,
           "sealed": 71, "exposed": 280, "summoned": 201, "reports_handled": 203}
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)


def _day(rng: random.Random, start: dt.date = START, end: dt.date = END) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _cited(rng: random.Random, enterprise: Enterprise, day: dt.date) -> str:
    """A criterion of the standard in force on the day (the 2017 standard all through 2019) that
    applies to the enterprise; "" when none does (the 2017 standard has no item for, say, a
    restaurant), and then the hazard is a general one."""
    items = [c.code for c in checklist_for(enterprise, day) if c.sector != "devices"]
    return rng.choice(items) if items else ""


def _enforcers(password_hash: str) -> list:
    """37 law-enforcement staff (28 certificates renewed and 9 issued in 2019), in the
    law-enforcement role."""
    users = []
    group = Group.objects.get_or_create(name=Role.LAW_ENFORCEMENT)[0]
    for i in range(1, 38):
        user, _ = get_user_model().objects.get_or_create(
            username=f"law{i:02d}", defaults={"full_name": f"执法人员{i:02d}", "password": password_hash})
        user.groups.add(group)
        if i <= 28:
            certificates = [(f"12011814{i:04d}", dt.date(2014, 4, 1), dt.date(2019, 3, 31)),
                            (f"12011819{i:04d}", dt.date(2019, 4, 1), dt.date(2025, 3, 31))]
        else:
            certificates = [(f"12011819{i:04d}", dt.date(2019, 5, 1), dt.date(2025, 4, 30))]
        for number, issued, expires in certificates:
            EnforcementCertificate.objects.get_or_create(number=number, defaults={
                "user": user, "issued": issued, "expires": expires})
        users.append(user)
    return users


def _holders_on(certificates, day):
    return [uid for uid, issued, expires in certificates if issued <= day <= expires]


def _split(total: int, parts: int, rng: random.Random, low: int = 1) -> list[int]:
    """`parts` positive integers summing to `total` (seeded)."""
    cuts = sorted(rng.sample(range(1, total - parts * (low - 1)), parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total - parts * (low - 1)], strict=True)]
    return [s + low - 1 for s in sizes]


def _capped(sizes: list[int], cap: int) -> list[int]:
    """The same parts and total with none above `cap`: the excess moves to the smallest parts
    (a fine of 50,000 yuan or more is a major penalty and needs a legal review)."""
    sizes = list(sizes)
    for i in range(len(sizes)):
        while sizes[i] > cap:
            smallest = min(range(len(sizes)), key=sizes.__getitem__)
            moved = min(sizes[i] - cap, cap - sizes[smallest])
            sizes[i] -= moved
            sizes[smallest] += moved
    return sizes


@transaction.atomic
def sample_inspections_load(*, password_hash: str, log=print) -> None:
    if AnnualPlan.objects.filter(year=YEAR).exists():
        log("监督检查样例：已存在，跳过")
        return
    rng = random.Random(SEED)
    _enforcers(password_hash)
    certificates = sorted(EnforcementCertificate.objects.values_list("user_id", "issued", "expires"))
    visits_by_risk = {"major": 4, "large": 2, "general": 1, "low": 1, "": 1}
    sample_key_list_calibrate(visits_by_risk=visits_by_risk)
    plan = AnnualPlan.objects.create(year=YEAR, seed=SEED, key_visits_target=382, general_visits_target=228,
                                     visits_by_risk=visits_by_risk, inspectors_per_visit=2)
    plan_draw(actor=None, plan=plan)

    enterprises = list(Enterprise.objects.filter(cell__isnull=False).order_by("pk")
                       .values_list("pk", "cell_id", "location", "district_code"))
    officers = cell_officers({e[1] for e in enterprises}, dt.date(YEAR, 6, 30))

    # Routine inspections and their hazards; one re-inspection per inspection with hazards.
    routine = []
    for _ in range(TARGETS["inspections"] * 3 // 4):
        pk, cell_id, location, district = rng.choice(enterprises)
        routine.append(Inspection(enterprise_id=pk, cell_id=cell_id, kind="routine", inspected_on=_day(rng),
                                  position=location, findings="例行监督检查", district_code=district))
    routine = Inspection.objects.bulk_create(routine)
    hazards, by_inspection = [], {}
    kinds = Enterprise.objects.only("industry_code", "hazardous_chemicals", "dust_explosion", "confined_space",
                                    "ammonia").in_bulk()
    cite = random.Random(SEED + 1)  # its own stream, so that the citations shift nothing else
    for _ in range(TARGETS["hazards"]):
        inspection = rng.choice(routine)
        major = rng.random() < 0.03
        cited = _cited(cite, kinds[inspection.enterprise_id], inspection.inspected_on) if major else ""
        hazard = Hazard(enterprise_id=inspection.enterprise_id, cell_id=inspection.cell_id, inspection=inspection,
                        level="major" if cited else "general", criterion_code=cited,
                        description=rng.choice(("消防通道堵塞", "配电箱未接地", "安全警示标志缺失", "有限空间未设警示",
                                                "除尘器未泄爆", "特种作业人员无证上岗", "气瓶未固定")),
                        location=inspection.position, measures="立即整改并报网格员复查",
                        found_on=inspection.inspected_on,
                        deadline=inspection.inspected_on + dt.timedelta(days=rng.choice((7, 15, 30))),
                        district_code=inspection.district_code)
        hazards.append(hazard)
        by_inspection.setdefault(inspection.pk, []).append(hazard)
    pending = []
    for inspection in routine:
        if inspection.pk in by_inspection:
            day = inspection.inspected_on + dt.timedelta(days=rng.randrange(5, 40))
            if day <= dt.date(YEAR, 12, 20):
                pending.append((inspection.pk, Inspection(
                    enterprise_id=inspection.enterprise_id, cell_id=inspection.cell_id, kind="reinspection",
                    inspected_on=day, position=inspection.position, findings="整改复查合格",
                    district_code=inspection.district_code)))
    reinspections = Inspection.objects.bulk_create([check for _, check in pending])
    pairs = {pk: check for pk, check in pending}
    extra = TARGETS["inspections"] - len(routine) - len(reinspections)
    others = []
    for _ in range(max(extra, 0)):
        pk, cell_id, location, district = rng.choice(enterprises)
        others.append(Inspection(enterprise_id=pk, cell_id=cell_id, kind="routine", inspected_on=_day(rng),
                                 position=location, findings="例行监督检查", district_code=district))
    others = Inspection.objects.bulk_create(others)
    for hazard in hazards:
        check = pairs.get(hazard.inspection_id)
        if hazard.level == "major":
            # 挂牌督办 from the day a major hazard is determined, whatever became of it since.
            hazard.status, hazard.supervised_on, hazard.supervised_deadline = "supervised", hazard.found_on, \
                hazard.deadline
        if check is not None:
            hazard.status, hazard.reinspection, hazard.closed_on = "closed", check, check.inspected_on
        elif hazard.level == "general":
            # Overdue or not, a general hazard stays in rectification (an overdue one is ordered
            # to rectify within a time limit, then fined: 安全生产法 第一百零二条).
            hazard.status = "rectifying"
    Hazard.objects.bulk_create(hazards)
    all_inspections = routine + reinspections + others
    through = Inspection.inspectors.through
    through.objects.bulk_create([through(inspection_id=i.pk, user_id=uid) for i in all_inspections
                                 for uid in rng.sample(_holders_on(certificates, i.inspected_on), 2)])

    # Enforcement documents.
    documents, reviews, number = [], [], 0
    operating = list(enterprises)

    def document(kind, enterprise, **fields):
        nonlocal number
        number += 1
        day = fields.pop("issued_on", None) or _day(rng)
        pk, cell_id, _location, district = enterprise
        doc = EnforcementDocument(kind=kind, number=f"津静应急〔{YEAR}〕{number:05d}号", enterprise_id=pk,
                                  cell_id=cell_id, status="issued", issued_on=day, district_code=district, **fields)
        doc.signer_ids = rng.sample(_holders_on(certificates, day), 2)
        documents.append(doc)
        return doc

    fined = rng.sample(operating, TARGETS["fined"])
    major_amounts = [Decimal(a) * 1000 for a in _split(4_960, TARGETS["major_penalties"], rng, low=50)]
    minor_total = int(TARGETS["fines_total"]) // 1000 - 4_960
    minor_amounts = [Decimal(a) * 1000 for a in _capped(
        _split(minor_total, TARGETS["fined"] - TARGETS["major_penalties"], rng, low=1), cap=49)]
    for enterprise, amount in zip(fined, major_amounts + minor_amounts, strict=True):
        doc = document("penalty_decision", enterprise, fine_amount=amount)
        if amount >= 50_000:
            doc.review_on = doc.issued_on - dt.timedelta(days=rng.randrange(1, 10))
    for enterprise in rng.sample(operating, TARGETS["stops"]):
        document("onsite_measure", enterprise, production_stop=True)
    for enterprise, sets in zip(rng.sample(operating, 40), _split(TARGETS["sealed"], 40, rng), strict=True):
        document("onsite_measure", enterprise, equipment_out_of_use=sets)
    while len(documents) < TARGETS["documents"]:
        document(rng.choice(("order_to_correct", "reinspection_opinion", "onsite_record")), rng.choice(operating))
    documents = EnforcementDocument.objects.bulk_create(documents)
    signers = EnforcementDocument.signers.through
    signers.objects.bulk_create([signers(enforcementdocument_id=d.pk, user_id=uid)
                                 for d in documents for uid in d.signer_ids])
    # The legal reviewer is the bureau's reviewing staff, never one of the case's signers.
    reviewer, _ = get_user_model().objects.get_or_create(
        username="fazhi", defaults={"full_name": "法制审核员", "password": password_hash})
    reviewer.groups.add(Group.objects.get_or_create(name=Role.BUREAU_STAFF)[0])
    passed = {f"{name}_passed": True for name, _label in LegalReview.CHECKS}
    for doc in documents:
        if getattr(doc, "review_on", None):
            reviews.append(LegalReview(document=doc, reviewer=reviewer, reviewed_on=doc.review_on, approved=True,
                                       opinion="事实清楚，证据确凿，程序合法，适用法律正确",
                                       district_code=doc.district_code, **passed))
    LegalReview.objects.bulk_create(reviews)

    Exposure.objects.bulk_create([
        Exposure(enterprise_id=e[0], cell_id=e[1], exposed_on=_day(rng), medium="静海区应急管理局网站",
                 district_code=e[3]) for e in rng.sample(operating, TARGETS["exposed"])])
    sessions = _split(TARGETS["summoned"], 150, rng)
    Summons.objects.bulk_create([
        Summons(enterprise_id=e[0], cell_id=e[1], held_on=_day(rng), people=n, district_code=e[3])
        for e, n in zip(rng.sample(operating, 150), sessions, strict=True)])

    reports = []
    for i in range(TARGETS["reports_handled"] + 12):
        pk, cell_id, location, district = rng.choice(enterprises)
        received = _day(rng, END - dt.timedelta(days=20) if i >= TARGETS["reports_handled"] else START,
                        END if i >= TARGETS["reports_handled"] else dt.date(YEAR, 12, 10))
        handled = i < TARGETS["reports_handled"]
        reports.append(Report(
            source="public" if i % 4 else "staff", description=rng.choice(("反映企业夜间违规生产", "反映仓库堆放危险品",
                                                                           "反映工人未佩戴防护用品")),
            position=location, cell_id=cell_id, enterprise_id=pk, assignee=officers.get(cell_id),
            status="handled" if handled else "handling", received_on=received,
            deadline=received + dt.timedelta(days=15),
            handled_on=received + dt.timedelta(days=rng.randrange(1, 15)) if handled else None,
            result="已核查并督促整改" if handled else "", district_code=district))
    Report.objects.bulk_create(reports)
    patrols = _patrols_and_leads(rng, enterprises, officers)
    sample_plan_and_publication_load(plan)
    log(f"监督检查样例 {YEAR}：计划 {plan.entries.count()} 家企业；检查 {len(all_inspections)} 户次；"
        f"隐患 {len(hazards)} 项；执法文书 {len(documents)} 份；举报 {len(reports)} 件；"
        f"网格员巡查 {patrols} 次")


PATROLS, LEADS, DISMISSED = 300, 30, 10


def _patrols_and_leads(rng: random.Random, enterprises: list, officers: dict) -> int:
    """Grid officers' patrols of December and the leads they found: some still waiting for
    the bureau's confirmation, some dismissed with a reason. No figure counts them."""
    visits = []
    for _ in range(PATROLS):
        pk, cell_id, location, district = rng.choice(enterprises)
        if cell_id in officers:
            visits.append(Inspection(enterprise_id=pk, cell_id=cell_id, kind="patrol", position=location,
                                     inspected_on=_day(rng, dt.date(YEAR, 12, 1)), findings="网格员日常巡查",
                                     recorded_by=officers[cell_id], district_code=district))
    visits = Inspection.objects.bulk_create(visits)
    through = Inspection.inspectors.through
    through.objects.bulk_create([through(inspection_id=v.pk, user_id=v.recorded_by_id) for v in visits])
    leads = []
    for number, visit in enumerate(rng.sample(visits, min(LEADS, len(visits)))):
        dismissed = number < DISMISSED
        leads.append(Hazard(
            enterprise_id=visit.enterprise_id, cell_id=visit.cell_id, inspection=visit, level="general",
            description=rng.choice(("疑似消防通道堵塞", "疑似配电箱未接地", "疑似气瓶未固定")),
            location=visit.position, found_on=visit.inspected_on, deadline=visit.inspected_on + dt.timedelta(days=15),
            status="dismissed" if dismissed else "lead", reported_by_id=visit.recorded_by_id,
            dismissal_reason="经执法人员核实，现场已符合要求，不构成事故隐患" if dismissed else "",
            district_code=visit.district_code))
    Hazard.objects.bulk_create(leads)
    return len(visits)
