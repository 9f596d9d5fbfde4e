"""The periodic jobs that replace cron: registered with their schedules, and each does its
work when run (called here without the worker's connection handling, inside the test's
transaction)."""

import datetime as dt

import pytest
from procrastinate.contrib.django import app

from gridmap.inspections.criteria import criteria_on
from gridmap.inspections.models import Hazard, HazardStatus
from gridmap.jobs import tasks

pytestmark = pytest.mark.django_db
CALLS = []


def plan_tasks_open_stand_in(*, on):
    CALLS.append(on)


def body(task):
    """The task's own function, without with_fresh_connections (which closes the connection)."""
    return task.func.__wrapped__


def test_periodic_jobs_are_scheduled():
    schedules = {task.periodic_id: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert schedules == {"hazards_escalate_daily": "30 16 * * *", "plan_tasks_open_daily": "40 16 * * *",
                         "statistics_refresh_nightly": "0 19 * * *", "exports_expire_hourly": "5 * * * *"}


def test_the_daily_escalation_supervises_major_hazards_only():
    open_statuses = (HazardStatus.FOUND, HazardStatus.RECTIFYING)
    general = Hazard.objects.filter(status__in=open_statuses, level=Hazard.Level.GENERAL).order_by("id").first()
    major = Hazard.objects.filter(status__in=open_statuses).exclude(pk=general.pk).order_by("id").first()
    Hazard.objects.filter(pk=general.pk).update(deadline=dt.date(2026, 1, 1))
    # A major hazard not yet under supervision (as one registered before the rule would be).
    Hazard.objects.filter(pk=major.pk).update(level=Hazard.Level.MAJOR, deadline=dt.date(2026, 1, 1),
                                              criterion_code=criteria_on(major.found_on)[0].code,
                                              status=HazardStatus.RECTIFYING, supervised_on=None)
    # 2026-12-06 16:30 UTC is 00:30 on 2026-12-07 in Beijing.
    body(tasks.hazards_escalate_daily)(timestamp=int(dt.datetime(2026, 12, 6, 16, 30, tzinfo=dt.UTC).timestamp()))
    general.refresh_from_db()
    major.refresh_from_db()
    assert general.status in open_statuses and general.supervised_on is None
    assert major.status == HazardStatus.SUPERVISED and major.supervised_on is not None


def test_plan_tasks_open_calls_the_configured_function(settings):
    settings.GRIDMAP_PLAN_TASKS_OPEN = "tests.jobs.test_periodic.plan_tasks_open_stand_in"
    body(tasks.plan_tasks_open_daily)(timestamp=int(dt.datetime(2026, 3, 31, 16, 40, tzinfo=dt.UTC).timestamp()))
    assert CALLS == [dt.date(2026, 4, 1)]
    settings.GRIDMAP_PLAN_TASKS_OPEN = "gridmap.inspections.no_such_module.plan_tasks_open"
    body(tasks.plan_tasks_open_daily)(timestamp=0)
    assert CALLS == [dt.date(2026, 4, 1)]


def test_statistics_refresh_analyzes_the_busy_tables():
    body(tasks.statistics_refresh_nightly)(timestamp=0)
