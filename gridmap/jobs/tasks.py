"""The jobs (Procrastinate, on PostgreSQL): found by the worker as every installed app's
`tasks` module. Periodic jobs replace cron; their times are UTC (Procrastinate's cron), so
16:30 UTC is 00:30 in Beijing.

A job runs in a thread of the worker; it closes its database connections when done, as a
request does, so that the next job in that thread does not find a broken one."""

from __future__ import annotations

import datetime as dt
import logging
from functools import wraps

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import import_string
from procrastinate.contrib.django import app

from gridmap.inspections.services import hazards_escalate_overdue

from . import services
from .conf import app_settings

log = logging.getLogger(__name__)

# Tables whose planner statistics go stale fastest: bulk imports and daily work.
ANALYZED_TABLES = ("enterprises_enterprise", "enterprises_riskpoint", "inspections_inspection",
                   "inspections_hazard", "inspections_inspectiontask", "patrols_patrol", "grids_gridassignment")


def with_fresh_connections(function):
    @wraps(function)
    def run(*args, **kwargs):
        close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()
    return run


def today_in_beijing(timestamp: int) -> dt.date:
    return timezone.localtime(dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)).date()


@app.task(name="export_build", queue="exports")
@with_fresh_connections
def export_build_job(export_id: int) -> None:
    services.export_build(export_id=export_id)


@app.periodic(cron="30 16 * * *", periodic_id="hazards_escalate_daily")
@app.task(name="hazards_escalate_daily", queue="periodic", queueing_lock="hazards_escalate_daily")
@with_fresh_connections
def hazards_escalate_daily(timestamp: int) -> None:
    """挂牌督办: overdue hazards escalated once a day, just after midnight in Beijing."""
    ids = hazards_escalate_overdue(on=today_in_beijing(timestamp))
    log.info("hazards escalated: %d", len(ids))


@app.periodic(cron="40 16 * * *", periodic_id="plan_tasks_open_daily")
@app.task(name="plan_tasks_open_daily", queue="periodic", queueing_lock="plan_tasks_open_daily")
@with_fresh_connections
def plan_tasks_open_daily(timestamp: int) -> None:
    """The annual plan's inspection tasks whose window opens today become tasks."""
    try:
        open_tasks = import_string(app_settings.PLAN_TASKS_OPEN)
    except ImportError:
        log.warning("%s is not installed: no plan tasks opened", app_settings.PLAN_TASKS_OPEN)
        return
    open_tasks(on=today_in_beijing(timestamp))


@app.periodic(cron="0 19 * * *", periodic_id="statistics_refresh_nightly")
@app.task(name="statistics_refresh_nightly", queue="periodic", queueing_lock="statistics_refresh_nightly")
@with_fresh_connections
def statistics_refresh_nightly(timestamp: int) -> None:
    """The planner's statistics of the busiest tables, at 03:00 in Beijing: after a day of
    imports and bulk updates its estimates drift and list queries change plans."""
    with connection.cursor() as cursor:
        for table in ANALYZED_TABLES:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


@app.periodic(cron="5 * * * *", periodic_id="exports_expire_hourly")
@app.task(name="exports_expire_hourly", queue="periodic", queueing_lock="exports_expire_hourly")
@with_fresh_connections
def exports_expire_hourly(timestamp: int) -> None:
    services.exports_expire()
