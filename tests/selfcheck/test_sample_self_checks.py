"""The sample's self-inspections (gridmap.demo.self_checks): after the sample load (tests/conftest.py)
上线率 is neither 0 nor 100 %, the database holds exactly the checks the loader plans, written as
the service writes them (history, hazards), and a reload adds nothing."""

import json

import pytest
from django.db import connection
from django.db.models import Count

from gridmap.demo.self_checks import ACTION, client_id_of, sample_self_checks_load, sample_self_checks_plan
from gridmap.enterprises.models import Enterprise
from gridmap.inspections.models import Hazard, SelfInspection
from gridmap.inspections.online import window
from gridmap.inspections.self_checks import check_items

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def plan(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return sample_self_checks_plan()


def sample_records():
    return SelfInspection.objects.filter(recorded_by__username__regex=r"^[0-9A-Z]{18}$")


def test_the_online_share_is_neither_none_nor_all():
    start, end = window()
    enterprises = Enterprise.objects.exclude(status=Enterprise.Status.CLOSED)
    online = enterprises.filter(self_inspections__checked_on__range=(start, end)).distinct().count()
    total = enterprises.count()
    assert 0 < online < total
    assert 0.4 < online / total < 0.95, online / total


def test_the_database_holds_the_planned_checks_and_their_findings(plan):
    expected = {(p.enterprise.pk, p.day) for p in plan}
    held = set(sample_records().values_list("enterprise_id", "checked_on"))
    assert held == expected and len(held) == sample_records().count()  # one check a day at most
    assert 15_000 < len(plan) < 40_000, len(plan)  # what keeps make sample fast
    findings = [p for p in plan if p.finding]
    assert 10 < len(findings) < 200, len(findings)
    # Each finding through the service: one hazard per hazard item, source self_inspection.
    hazards = Hazard.objects.filter(self_inspection__in=sample_records())
    assert hazards.count() == sum(r["result"] == "hazard" for p in findings for r in p.rows)
    assert set(hazards.values_list("source", flat=True)) == {"self_inspection"}
    assert set(hazards.values_list("status", flat=True)) <= {"found", "lead"}
    by_record = dict(sample_records().annotate(n=Count("hazards")).filter(n__gt=0).values_list("client_id", "n"))
    assert set(by_record) == {client_id_of(p.enterprise.credit_code, p.day) for p in findings}


def test_a_bulk_written_check_is_what_the_service_writes(plan):
    p = next(p for p in plan if not p.finding and p.enterprise.risk_points.exists())
    record = SelfInspection.objects.get(enterprise=p.enterprise, checked_on=p.day)
    assert (record.client_id, record.recorded_by_id, record.cell_id, record.checked_at) == (
        client_id_of(p.enterprise.credit_code, p.day), p.account_id, p.enterprise.cell_id, p.checked_at)
    known = {i.code: i.title for i in check_items(p.enterprise, p.day)}
    assert record.items and all(row["title"] == known[row["code"]] and row["result"] == "ok"
                                for row in record.items)
    # Its daily items (every risk point's post and team tiers) every time it checks.
    daily = {f"RP{n}-{tier}" for n in p.enterprise.risk_points.values_list("number", flat=True)
             for tier in ("post", "team")}
    assert daily <= {row["code"] for row in record.items}
    # Its history: one insert event in a context naming the account and the action, as recorded_as does.
    with connection.cursor() as cursor:
        cursor.execute("""SELECT e.pgh_label, c.metadata FROM inspections_selfinspectionevent e
                          JOIN pghistory_context c ON c.id = e.pgh_context_id WHERE e.pgh_obj_id = %s""",
                       [record.pk])
        events = cursor.fetchall()
    assert len(events) == 1 and events[0][0] == "insert"
    assert json.loads(events[0][1]) == {"user": p.account_id, "action": ACTION}


def test_a_reload_adds_nothing():
    before = (SelfInspection.objects.count(), Hazard.objects.count())
    assert sample_self_checks_load(log=lambda *a: None).records == 0
    assert (SelfInspection.objects.count(), Hazard.objects.count()) == before
