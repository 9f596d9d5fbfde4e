"""The sample enterprises' self-inspections (企业自查) over the last 30 days, so that 上线率, the
enterprise desk's "last checked" and the officers' "not online" lists show something.

domain.md §10 gives the check frequencies (data/check_frequencies.json: post and team tiers
daily, workshop weekly, company and the major-hazard criteria monthly) but no figure for how
many enterprises are online or how often they really check. The shares here are chosen,
plausible for a district on its way to the 2020 goal of all online: each township has a share of
enterprises that check regularly (drawn between 45 % and 85 %), a further 10 % checked once or
twice, the rest are not yet online. A regular enterprise checks on about one day in four (the
on-time share a district starting out sees; also what keeps `make sample` within seconds: every
record is written with its history event, about 30,000 records in all). One checked item in
2,000 finds a hazard (a few dozen in the sample).

What a day's check covers is what the enterprise would tick on the desk: its daily items, and
its weekly (monthly) items on its first check of the week (month). Days run from the first day
of 上线率's window to yesterday (today's items stay due, as on a real morning).

Deterministic: each (enterprise, day) draws from its own seeded generator, so a reload on a
later day plans the same checks for the same days. Idempotent: a day an enterprise already has
a self-inspection on is skipped, so a reload adds only the days since the last one. The rows are
what enterprises' phones would have sent (inspections.services.self_inspection_sync, with a
client_id): the checks that found nothing are bulk-inserted with the same fields, client_id and
digest (and their history events, by the table's trigger); the few that found a hazard go
through the service itself, which files the hazard (source 企业自查) in the enterprise's cell:
general ones found, major ones awaiting the bureau's confirmation.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
import zlib
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from gridmap.core.sync import submission_digest
from gridmap.enterprises.models import Enterprise, EnterpriseAccount, RiskPoint
from gridmap.grids.models import Grid
from gridmap.inspections.models import SelfInspection
from gridmap.inspections.self_checks import (
    CheckItem,
    check_items,
    period_of,
)
from gridmap.inspections.services import cell_of_day, self_inspection_sync

SEED = 20200101
DAYS = 29  # the days before today in 上线率's 30-day window
REGULAR_SHARE = (0.45, 0.85)  # per township, drawn
OCCASIONAL_SHARE = 0.10
REGULAR_DAY_RATE = 0.25
OCCASIONAL_DAY_RATE = 1 / 20
FINDING_RATE = 1 / 2000
NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4b7a-9a51-2b3f0c5d7e11")
COPY_COLUMNS = ("enterprise_id", "cell_id", "checked_at", "checked_on", "items", "recorded_by_id", "district_code",
                "created_at", "client_id", "client_digest")
INSERT_TRIGGER = "pgtrigger_insert_insert_1d6c8"  # pghistory's insert event (inspections migration 0015)
ACTION = "self_inspection_record"  # the service's recorded_as action
FINDINGS = ("灭火器压力不足，未按期检验", "安全出口被货物堵塞", "配电箱门未关闭，线路裸露", "岗位人员未佩戴防护用品",
            "应急照明灯不亮", "作业现场安全警示标志缺失", "设备防护罩缺失", "消防通道堆放杂物")


@dataclass
class SampleSelfChecks:
    days: int
    records: int
    findings: int

    def summary(self) -> str:
        return f"企业自查: 新增 {self.records} 次（{self.days} 天内），其中 {self.findings} 次发现隐患"


def client_id_of(credit_code: str, day: dt.date) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{credit_code}:{day.isoformat()}")


def _items_by_enterprise(enterprises: list[Enterprise], day: dt.date) -> dict[int, list[CheckItem]]:
    """check_items for every enterprise with one query for the risk points (the same items)."""
    points = defaultdict(list)
    for point in RiskPoint.objects.filter(enterprise__in=enterprises).order_by("enterprise_id", "number"):
        points[point.enterprise_id].append(point)
    return {enterprise.pk: check_items(enterprise, day, points[enterprise.pk]) for enterprise in enterprises}


def _town_rates(enterprises: list[Enterprise]) -> dict[int | None, float]:
    towns = {e.town_id for e in enterprises}
    return {town: random.Random(f"{SEED}:town:{town}").uniform(*REGULAR_SHARE) for town in towns}


def _habit(enterprise: Enterprise, regular_share: float) -> float:
    """The share of days the enterprise checks on: regular, now and then, or not online (0)."""
    draw = random.Random(f"{SEED}:habit:{enterprise.credit_code}").random()
    if draw < regular_share:
        return REGULAR_DAY_RATE
    if draw < regular_share + OCCASIONAL_SHARE:
        return OCCASIONAL_DAY_RATE
    return 0.0


def _periods(days: list[dt.date]) -> dict[dt.date, dict[str, tuple[dt.date, dt.date]]]:
    return {day: {frequency: period_of(frequency, day) for frequency in ("day", "week", "month")} for day in days}


def _plan(enterprise: Enterprise, items: list[CheckItem], rate: float, periods: dict):
    """[(day, checked_at, rows)] of the enterprise's checks, each row {code, result, note}."""
    plan, done = [], set()
    for day, of_day in periods.items():
        # One generator per (enterprise, day), seeded by a stable hash (str hash() varies by process).
        rng = random.Random(SEED ^ zlib.crc32(f"{enterprise.credit_code}:{day.toordinal()}".encode()))
        if rng.random() >= rate:
            continue
        rows = []
        for item in items:
            period = of_day[item.frequency]
            if item.frequency != "day" and (item.frequency, period) in done:
                continue
            done.add((item.frequency, period))
            if rng.random() < FINDING_RATE:
                rows.append({"code": item.code, "result": "hazard", "note": rng.choice(FINDINGS)})
            else:
                rows.append({"code": item.code, "result": "ok", "note": ""})
        moment = dt.datetime.combine(day, dt.time(8 + rng.randrange(3), rng.randrange(60)))
        plan.append((day, timezone.make_aware(moment), rows))
    return plan


def _copy(rows: list[tuple]) -> None:
    """COPY the records, then write their history events and contexts set-based: what the
    service's insert and its recorded_as context write (the context naming the enterprise's
    account and the action self_inspection_record), in seconds. Django's bulk insert spends half
    a minute quoting ~30,000 JSON documents client-side, and the row-by-row history trigger
    (two PL/pgSQL exception blocks, so two subtransactions, a row) as long again; the trigger
    is off only inside this transaction (ALTER TABLE is transactional)."""
    table, event = SelfInspection._meta.db_table, apps.get_model("inspections", "SelfInspectionEvent")._meta.db_table
    columns = ", ".join(COPY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        after = cursor.fetchone()[0]
        # ALTER TABLE wants no deferred (foreign-key) check pending on the table: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {INSERT_TRIGGER}")
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {INSERT_TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"""
            WITH new AS MATERIALIZED (SELECT s.*, gen_random_uuid() AS context FROM {table} s WHERE s.id > %s),
            contexts AS (INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
                         SELECT context, jsonb_build_object('user', recorded_by_id, 'action', %s), now(), now()
                         FROM new)
            INSERT INTO {event} (id, {columns}, pgh_context_id, pgh_created_at, pgh_label, pgh_obj_id)
            SELECT id, {columns}, context, now(), 'insert', id FROM new""", [after, ACTION])


@dataclass
class PlannedCheck:
    enterprise: Enterprise
    account_id: int
    day: dt.date
    checked_at: dt.datetime
    rows: list[dict]  # {code, result, note}, as a phone sends them
    titles: dict[str, str]

    @property
    def finding(self) -> bool:
        return any(r["result"] == "hazard" for r in self.rows)


def sample_self_checks_plan(today: dt.date | None = None) -> list[PlannedCheck]:
    """The sample's self-inspections from the window's first day to yesterday (none written)."""
    today = today or timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(DAYS, 0, -1)]
    # The sample's own account of each enterprise (named by its credit code).
    accounts = dict(EnterpriseAccount.objects.filter(duty=EnterpriseAccount.Duty.SAFETY_CONTACT,
                                                     user__username=F("enterprise__credit_code"))
                    .values_list("enterprise_id", "user"))
    enterprises = list(Enterprise.objects.exclude(status=Enterprise.Status.CLOSED).filter(pk__in=accounts)
                       .select_related("cell").annotate(town_id=F("cell__parent_id")).order_by("pk"))
    items = _items_by_enterprise(enterprises, today)
    rates, periods = _town_rates(enterprises), _periods(days)
    planned = []
    for enterprise in enterprises:
        rate = _habit(enterprise, rates[enterprise.town_id])
        if not rate:
            continue
        titles = {item.code: item.title for item in items[enterprise.pk]}
        for day, checked_at, rows in _plan(enterprise, items[enterprise.pk], rate, periods):
            if enterprise.cell_id is None:  # the service refuses a finding no officer can take over
                rows = [{**r, "result": "ok", "note": ""} for r in rows]
            planned.append(PlannedCheck(enterprise, accounts[enterprise.pk], day, checked_at, rows, titles))
    return planned


@transaction.atomic
def sample_self_checks_load(*, today: dt.date | None = None, log=print) -> SampleSelfChecks:
    today = today or timezone.localdate()
    planned = sample_self_checks_plan(today)
    first = today - dt.timedelta(days=DAYS)
    existing = set(SelfInspection.objects.filter(checked_on__gte=first).values_list("enterprise_id", "checked_on"))
    planned = [p for p in planned if (p.enterprise.pk, p.day) not in existing]
    # A new generation of boundaries in the period would file some days under another cell.
    moved = Grid.objects.filter(valid_from__gt=first, valid_from__lte=today).exists()
    rows, now = [], timezone.now()
    for p in planned:
        if p.finding:
            continue
        digest = submission_digest({"enterprise": p.enterprise.pk, "checked_at": p.checked_at.isoformat(),
                                    "items": p.rows})
        items_json = json.dumps([{"code": r["code"], "title": p.titles[r["code"]], "result": r["result"],
                                  "note": r["note"]} for r in p.rows], ensure_ascii=False)
        cell_id = cell_of_day(p.enterprise, p.day) if moved else p.enterprise.cell_id
        rows.append((p.enterprise.pk, cell_id, p.checked_at, p.day, items_json, p.account_id,
                     p.enterprise.district_code, now, client_id_of(p.enterprise.credit_code, p.day), digest))
    if rows:
        _copy(rows)
    with_findings = [p for p in planned if p.finding]
    users = get_user_model().objects.in_bulk({p.account_id for p in with_findings})
    for p in with_findings:
        self_inspection_sync(actor=users[p.account_id], enterprise=p.enterprise, checked_at=p.checked_at,
                             items=p.rows, client_id=client_id_of(p.enterprise.credit_code, p.day))
    result = SampleSelfChecks(DAYS, len(planned), len(with_findings))
    log(result.summary())
    return result
