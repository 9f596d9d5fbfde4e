"""Inspection reads from district to province scale (issue 3): how the annual statistics, an
officer's open tasks, a cell's inspection history and the open hazards grow with the data.

Province data are synthetic and made by PostgreSQL itself (INSERT … SELECT generate_series),
never row by row: `top_up_inspections` adds inspections (and the tasks they came from, and the
hazards they found) until there are `total`. Synthetic inspection n has id INSPECTION_BASE + n
and, when it came from a task, that task has id TASK_BASE + n: every value of a record is a
function of n (a hash of n picks the date, kind, findings), so a top-up that stops half way
resumes where it stopped, and ORM inserts (ids from the identity sequences, far below the
bases) never collide with them. Inspection n visits enterprise (n - 1) mod E in year
(n - 1) div E, counted back from this year, so 5,000,000 inspections of 1,000,000 enterprises
are one visit a year for five years. The next visit after one that found hazards is a
re-inspection; hazards whose enterprise has been visited since are closed (销号) by that visit,
the others are still open.

The audit-trail triggers (django-pghistory) stay on: the project never bypasses them (no
`session_replication_role`, no `pgtrigger.ignore`), so every synthetic row also writes its
insert event, as a real one would, under a history context ("bench_top_up") like any service's
writes. The context matters for speed: without one, each trigger call catches an error (the
unset settings pgtrigger.ignore and pghistory.context_id), and a caught error per row makes
PostgreSQL's after-trigger queue quadratic in the rows of one statement (20,000 rows: 21.6 s
instead of 1.5 s). `trigger_cost` measures both and what the history costs.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager

import pghistory
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from bench.timing import median_ms, ratio

INSPECTION_BASE = 1_000_000_000
TASK_BASE = 1_000_000_000
YEARS = 5
CHUNK = 500_000
MARKER = "基准数据"  # the note of synthetic tasks
HAZARD_PERCENT = 15  # visits that find at least one hazard
OPEN_TASK_SHARE = 10  # one enterprise in ten has an open task this quarter
DESCRIPTIONS = ["消防通道堵塞", "配电箱未接地", "安全警示标志缺失", "有限空间未设警示", "除尘器未泄爆",
                "特种作业人员无证上岗", "气瓶未固定"]
OPEN = ("assigned", "accepted", "in_progress")


def _hash(expr: str, salt: int) -> str:
    """A non-negative 63-bit hash of an integer expression (PostgreSQL's own hash function)."""
    return f"(hashint8extended(({expr})::bigint, {salt}) & 9223372036854775807)"


def _found_hazard(n: str) -> str:
    return f"({_hash(n, 3)} %% 100 < {HAZARD_PERCENT})"


def _scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


@contextmanager
def bulk_history():
    """One transaction whose history events carry a context, with pgtrigger's ignore list set
    (to nothing): the triggers then find both settings and catch no error per row."""
    with transaction.atomic(), pghistory.context(action="bench_top_up"), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        yield


def synthetic_inspection_count() -> int:
    return _scalar("SELECT count(*) FROM inspections_inspection WHERE id > %s", [INSPECTION_BASE])


def ensure_officers() -> int:
    """An officer for every cell that has none on duty today (the province has no roster):
    ORM bulk_create in batches, so the accounts model decides its own defaults."""
    from django.contrib.auth import get_user_model

    from gridmap.accounts.services import roles_grant
    from gridmap.grids.models import Grid, GridAssignment
    from gridmap.grids.scope import on_duty_on

    staffed = GridAssignment.objects.filter(on_duty_on(timezone.localdate())).values("grid_id")
    cells = list(Grid.objects.filter(level__gte=2).exclude(id__in=staffed).values_list("id", "code",
                                                                                         "district_code"))
    if not cells:
        return 0
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"bench-officer-{pk}", full_name=f"网格员{code[-9:]}", password="!")
         for pk, code, _ in cells], batch_size=5000, ignore_conflicts=True)
    ids = dict(user_model.objects.filter(username__in=[u.username for u in users]).values_list("username", "id"))
    GridAssignment.objects.bulk_create(
        [GridAssignment(user_id=ids[f"bench-officer-{pk}"], grid_id=pk, role=GridAssignment.Duty.CELL_OFFICER,
                        district_code=district, note=MARKER) for pk, _, district in cells], batch_size=5000)
    roles_grant(grid_officers=[user_model(pk=uid) for uid in ids.values()])
    return len(cells)


def _enterprises(cursor, *, sample_only: bool) -> int:
    """bench_ent: the enterprises placed in a cell, numbered 0 … E-1, with the cell's officer."""
    from gridmap.grids.scope import on_duty_on_sql

    cursor.execute("DROP TABLE IF EXISTS bench_ent")
    cursor.execute(f"""
        CREATE TEMP TABLE bench_ent AS
        WITH officer AS (
            SELECT DISTINCT ON (grid_id) grid_id, user_id FROM grids_gridassignment a
            WHERE {on_duty_on_sql("a", "%(today)s")}
            ORDER BY grid_id, role, user_id)
        SELECT (row_number() OVER (ORDER BY e.id) - 1)::bigint AS k, e.id, e.cell_id, e.location,
               e.district_code, o.user_id AS officer_id
        FROM enterprises_enterprise e LEFT JOIN officer o ON o.grid_id = e.cell_id
        WHERE e.cell_id IS NOT NULL {"AND e.credit_code NOT LIKE 'BENCH%%'" if sample_only else ""}""",
                   {"today": timezone.localdate()})
    cursor.execute("CREATE UNIQUE INDEX ON bench_ent (k)")
    cursor.execute("ANALYZE bench_ent")
    return _scalar("SELECT count(*) FROM bench_ent")


def _insert_chunk(cursor, lo: int, hi: int, enterprises: int, codes: list[str]) -> None:
    """Inspections lo … hi and their tasks, in one statement (the task is inserted by a CTE)."""
    today = timezone.localdate()
    h = _hash("n", 1)
    cursor.execute(f"""
        WITH s AS (
            SELECT n, {h} AS h, make_date(%(first)s + (((n - 1) / %(E)s) %% %(years)s)::int, 1, 1) AS jan1
            FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS n),
        x AS (
            SELECT s.n, s.h, e.id AS enterprise_id, e.cell_id, e.location, e.district_code, e.officer_id,
                   s.jan1 + (s.h %% (CASE WHEN s.jan1 = %(jan1)s THEN greatest(%(today)s - s.jan1, 1)
                                          ELSE 365 END))::int AS day,
                   CASE WHEN s.h / 400 %% 20 = 0 THEN 'report'
                        WHEN s.n > %(E)s AND {_found_hazard("s.n - %(E)s")} THEN 'reinspection'
                        ELSE 'routine' END AS kind,
                   {_found_hazard("s.n")} AS hazard
            FROM s JOIN bench_ent e ON e.k = (s.n - 1) %% %(E)s),
        y AS (
            SELECT x.*, x.officer_id IS NOT NULL AND (x.kind = 'reinspection'
                        OR (x.kind = 'routine' AND x.h / 8000 %% 5 < 2)) AS has_task,
                   (x.day + time '09:00') AT TIME ZONE 'Asia/Shanghai' AS morning
            FROM x),
        tasks AS (
            INSERT INTO inspections_inspectiontask (
                id, enterprise_id, cell_id, plan_id, period, assignee_id, assigned_by_id, due_date, status,
                cannot_reason, reason, note, district_code, created_at, updated_at, finished_at)
            SELECT {TASK_BASE} + n, enterprise_id, cell_id, NULL,
                   to_char(day, 'YYYY') || '-Q' || extract(quarter FROM day), officer_id, NULL,
                   day + (h / 40000 %% 21)::int, 'done', '', '', %(marker)s, district_code,
                   morning - interval '14 days', morning + interval '8 hours', morning + interval '8 hours'
            FROM y WHERE has_task)
        INSERT INTO inspections_inspection (
            id, enterprise_id, cell_id, task_id, kind, inspected_on, position, checklist, findings,
            recorded_by_id, district_code, created_at)
        SELECT {INSPECTION_BASE} + n, enterprise_id, cell_id, CASE WHEN has_task THEN {TASK_BASE} + n END,
               kind, day, location,
               jsonb_build_array(
                   jsonb_build_object('code', (%(codes)s::text[])[1 + h %% %(nc)s],
                                      'result', CASE WHEN hazard THEN 'hazard' ELSE 'ok' END),
                   jsonb_build_object('code', (%(codes)s::text[])[1 + h / 7 %% %(nc)s], 'result', 'ok'),
                   jsonb_build_object('code', (%(codes)s::text[])[1 + h / 49 %% %(nc)s], 'result', 'na')),
               CASE kind WHEN 'report' THEN '举报核查' WHEN 'reinspection' THEN '整改复查' ELSE '例行监督检查' END
                   || CASE WHEN hazard THEN '，发现隐患，已责令整改' ELSE '，未发现隐患' END,
               officer_id, district_code, morning + interval '7 hours'
        FROM y""", {"lo": lo, "hi": hi, "E": enterprises, "years": YEARS, "first": today.year - YEARS + 1,
                    "jan1": dt.date(today.year, 1, 1), "today": today, "marker": MARKER, "codes": codes,
                    "nc": len(codes)})


def _insert_hazards(cursor, lo: int, hi: int, codes: list[str]) -> int:
    """Hazards of synthetic inspections lo … hi that found some and have none recorded yet:
    closed by the enterprise's next visit when there is one, else still open."""
    h = _hash(f"i.id - {INSPECTION_BASE}", 2)
    cursor.execute(f"""
        INSERT INTO inspections_hazard (
            enterprise_id, cell_id, inspection_id, report_id, level, criterion_code, description, location,
            measures, found_on, deadline, status, supervised_on, supervised_deadline, reinspection_id,
            closed_on, reported_by_id, district_code, created_at, updated_at)
        SELECT c.enterprise_id, c.cell_id, c.id, NULL,
               CASE WHEN c.major THEN 'major' ELSE 'general' END,
               CASE WHEN c.major THEN (%(codes)s::text[])[1 + c.h / 50 %% %(nc)s] ELSE '' END,
               (%(descriptions)s::text[])[1 + c.h / 3 %% %(nd)s], c.position, '立即整改并报网格员复查',
               c.inspected_on, c.deadline, c.status,
               CASE WHEN c.status = 'supervised' THEN c.deadline + 1 END,
               CASE WHEN c.status = 'supervised' THEN c.deadline + 31 END,
               c.next_id, CASE WHEN c.status = 'closed' THEN c.next_on END,
               c.recorded_by_id, c.district_code, c.created_at, c.created_at
        FROM (
            SELECT i.*, b.h, b.h %% 50 = 0 AS major, b.deadline, nx.id AS next_id, nx.inspected_on AS next_on,
                   CASE WHEN nx.id IS NOT NULL THEN 'closed'
                        WHEN b.deadline >= %(today)s THEN (ARRAY['found', 'rectifying'])[1 + b.h / 7 %% 2]
                        WHEN b.h / 7 %% 5 = 0 THEN 'supervised'
                        ELSE 'rectifying' END AS status
            FROM inspections_inspection i
            CROSS JOIN LATERAL (SELECT {h} AS h) hh
            CROSS JOIN LATERAL (SELECT hh.h, i.inspected_on + (ARRAY[7, 15, 30])[1 + hh.h / 11 %% 3] AS deadline) b
            LEFT JOIN LATERAL (
                SELECT j.id, j.inspected_on FROM inspections_inspection j
                WHERE j.enterprise_id = i.enterprise_id AND j.inspected_on > i.inspected_on
                ORDER BY j.inspected_on, j.id LIMIT 1) nx ON true
            WHERE i.id BETWEEN {INSPECTION_BASE} + %(lo)s AND {INSPECTION_BASE} + %(hi)s
              AND {_found_hazard(f"i.id - {INSPECTION_BASE}")}
              AND NOT EXISTS (SELECT 1 FROM inspections_hazard z WHERE z.inspection_id = i.id)) c""",
                   {"lo": lo, "hi": hi, "codes": codes, "nc": len(codes), "descriptions": DESCRIPTIONS,
                    "nd": len(DESCRIPTIONS), "today": timezone.localdate()})
    return cursor.rowcount


def top_up_open_tasks(cursor) -> int:
    """This quarter's tasks: one enterprise in ten has an open one (some overdue), a few were
    declined or could not be inspected. Enterprises that already have a task this quarter
    (synthetic or open) get none, which also keeps the one-open-task-per-period rule."""
    today = timezone.localdate()
    period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    h = _hash("e.id", 4)
    cursor.execute(f"""
        INSERT INTO inspections_inspectiontask (
            enterprise_id, cell_id, plan_id, period, assignee_id, assigned_by_id, due_date, status,
            cannot_reason, reason, note, district_code, created_at, updated_at, finished_at)
        SELECT e.id, e.cell_id, NULL, %(period)s, e.officer_id, NULL, %(today)s + (t.h %% 60 - 20)::int,
               CASE WHEN e.k %% 100 = 5 THEN 'declined' WHEN e.k %% 100 = 15 THEN 'cannot_inspect'
                    ELSE (ARRAY['assigned', 'accepted', 'in_progress'])[1 + t.h / 60 %% 3] END,
               CASE WHEN e.k %% 100 = 15 THEN 'closed' ELSE '' END,
               CASE WHEN e.k %% 100 = 5 THEN '企业不在本人网格，请改派' WHEN e.k %% 100 = 15 THEN '企业已关闭'
                    ELSE '' END,
               %(marker)s, e.district_code, now() - interval '20 days', now(),
               CASE WHEN e.k %% 100 IN (5, 15) THEN now() END
        FROM bench_ent e CROSS JOIN LATERAL (SELECT {h} AS h) t
        WHERE e.officer_id IS NOT NULL AND (e.k %% %(share)s = 0 OR e.k %% 100 IN (5, 15))
          AND NOT EXISTS (SELECT 1 FROM inspections_inspectiontask o WHERE o.enterprise_id = e.id
                          AND o.period = %(period)s AND (o.note = %(marker)s OR o.status = ANY(%(open)s)))""",
                   {"period": period, "today": today, "marker": MARKER, "share": OPEN_TASK_SHARE, "open": list(OPEN)})
    return cursor.rowcount


def _log(message: str) -> None:
    print(message, flush=True)


def top_up_inspections(total: int = 5_000_000, *, sample_only: bool = False, log=_log) -> dict:
    """Add synthetic inspections (with their tasks and hazards) until there are `total`, plus
    this quarter's open tasks; idempotent. `sample_only` leaves the synthetic enterprises
    (credit codes BENCH…, deleted and re-made by the points part) without any record."""
    from gridmap.inspections.criteria import CRITERIA

    codes = [c.code for c in CRITERIA]
    started = time.perf_counter()
    result = {"officers_added": 0 if sample_only else ensure_officers()}
    with connection.cursor() as cursor:
        enterprises = _enterprises(cursor, sample_only=sample_only)
        result["enterprises"] = enterprises
        with bulk_history():
            result["open_tasks_added"] = top_up_open_tasks(cursor)
        missing = total - _scalar("SELECT count(*) FROM inspections_inspection")
        offset = synthetic_inspection_count()
        if offset and _scalar("SELECT max(id) FROM inspections_inspection WHERE id > %s",
                              [INSPECTION_BASE]) != INSPECTION_BASE + offset:
            raise RuntimeError("synthetic inspections are not numbered 1 … n: drop them and top up again")
        tasks_before = _scalar("SELECT count(*) FROM inspections_inspectiontask WHERE id > %s", [TASK_BASE])
        load_started = time.perf_counter()
        added = 0
        if missing > 0 and enterprises:
            for lo in range(offset + 1, offset + missing + 1, CHUNK):
                hi = min(lo + CHUNK - 1, offset + missing)
                chunk_started = time.perf_counter()
                with bulk_history():
                    _insert_chunk(cursor, lo, hi, enterprises, codes)
                added += hi - lo + 1
                log(f"inspections {hi:,}: {(hi - lo + 1) / (time.perf_counter() - chunk_started):,.0f} rows/s")
        insert_s = time.perf_counter() - load_started
        hazards_started = time.perf_counter()
        hazards = 0
        synthetic = offset + max(added, 0)
        for lo in range(1, synthetic + 1, 2 * CHUNK):
            hi = min(lo + 2 * CHUNK - 1, synthetic)
            # A range an earlier top-up finished (each range is one transaction) is skipped.
            if hi <= offset and _scalar("SELECT EXISTS (SELECT 1 FROM inspections_hazard WHERE inspection_id "
                                        "BETWEEN %s AND %s)", [INSPECTION_BASE + lo, INSPECTION_BASE + hi]):
                continue
            with bulk_history():
                hazards += _insert_hazards(cursor, lo, hi, codes)
        hazards_s = time.perf_counter() - hazards_started
        tasks = _scalar("SELECT count(*) FROM inspections_inspectiontask WHERE id > %s", [TASK_BASE]) - tasks_before
        cursor.execute("DROP TABLE bench_ent")
        vacuum_started = time.perf_counter()
        if added or hazards:
            for table in ("inspections_inspectiontask", "inspections_inspection", "inspections_hazard"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    result.update({
        "inspections_added": added, "tasks_added": tasks, "hazards_added": hazards,
        "insert_s": insert_s, "hazards_s": hazards_s, "vacuum_s": time.perf_counter() - vacuum_started,
        "inspections_per_s": added / insert_s if added else None,
        "rows_per_s": (added + tasks) / insert_s if added else None,
        "hazards_per_s": hazards / hazards_s if hazards else None,
        "total_s": time.perf_counter() - started})
    return result


def trigger_cost(rows: int = 20_000) -> dict:
    """Inspections/s (with their tasks) of the same synthetic insert, rolled back: as the load
    does it (history with a context), with no history context (a caught error per trigger
    call), and with the insert-event triggers switched off by pgtrigger's own ignore list
    (they return at once; foreign keys are still checked)."""
    from gridmap.inspections.criteria import CRITERIA

    codes = [c.code for c in CRITERIA]
    speeds = {"rows": rows}
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(tgname) FROM pg_trigger WHERE tgname LIKE 'pgtrigger_insert_%%' "
                       "AND tgrelid IN ('inspections_inspection'::regclass, 'inspections_inspectiontask'::regclass)")
        history_triggers = "{" + ",".join(cursor.fetchone()[0]) + "}"
        enterprises = _enterprises(cursor, sample_only=False)
        start = synthetic_inspection_count() + 1

        def insert(label, session):
            try:
                with session():
                    began = time.perf_counter()
                    _insert_chunk(cursor, start, start + rows - 1, enterprises, codes)
                    speeds[label] = rows / (time.perf_counter() - began)
                    raise _Rollback
            except _Rollback:
                pass

        @contextmanager
        def ignored():
            with transaction.atomic():
                cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [history_triggers])
                yield

        insert("history_with_context_per_s", bulk_history)
        insert("history_without_context_per_s", transaction.atomic)
        insert("no_history_per_s", ignored)
        cursor.execute("DROP TABLE bench_ent")
    speeds["history_cost"] = ratio(speeds["no_history_per_s"], speeds["history_with_context_per_s"])
    speeds["no_context_cost"] = ratio(speeds["history_with_context_per_s"], speeds["history_without_context_per_s"])
    return speeds


class _Rollback(Exception):
    pass


# --- the reads ---------------------------------------------------------------------------------

def _replay(capture) -> callable:
    """The SQL a call ran, as the database received it, to run again without Django."""
    statements = [q["sql"] for q in capture.captured_queries]

    def raw():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return raw, statements


def _measure(call, *, repeat: int, endpoint=None) -> dict:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as capture:
        call()
    raw, statements = _replay(capture)
    row = {"queries": len(statements), "selector_ms": median_ms(call, repeat=repeat),
           "raw_sql_ms": median_ms(raw, repeat=repeat)}
    row["selector_vs_raw"] = ratio(row["selector_ms"], row["raw_sql_ms"])
    if endpoint is not None:
        row["endpoint_ms"] = median_ms(endpoint, repeat=repeat)
        row["endpoint_vs_raw"] = ratio(row["endpoint_ms"], row["raw_sql_ms"])
    row["seq_scans"] = _seq_scans(statements)
    return row


BIG_TABLES = ("inspections_inspection", "inspections_inspectiontask", "inspections_hazard")


def _seq_scans(statements) -> list[str]:
    """The large inspection tables any of the statements reads by a sequential scan."""
    found = set()
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            stack = [plan[0]["Plan"]]
            while stack:
                node = stack.pop()
                if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
                    found.add(node["Relation Name"])
                stack.extend(node.get("Plans", []))
    return sorted(found)


def _busiest_officer():
    from django.contrib.auth import get_user_model

    from gridmap.inspections.models import OPEN_TASK_STATUSES, InspectionTask

    row = (InspectionTask.objects.filter(status__in=OPEN_TASK_STATUSES).values("assignee_id")
           .annotate(n=Count("id")).order_by("-n", "assignee_id").first())
    return get_user_model().objects.get(pk=row["assignee_id"]) if row else None


def inspection_reads(suite) -> dict:
    """Each read as its selector (or service), the SQL it amounts to replayed raw, and the
    endpoint where there is one; medians."""
    from django.test import Client
    from rest_framework.test import APIClient

    from gridmap.grids.models import Grid
    from gridmap.inspections import selectors
    from gridmap.inspections.models import OPEN_HAZARD_STATUSES, Hazard, Inspection, InspectionTask
    from gridmap.inspections.statistics import statistics_by_grid

    counts = {
        "inspections": _scalar("SELECT count(*) FROM inspections_inspection"),
        "tasks": _scalar("SELECT count(*) FROM inspections_inspectiontask"),
        "open_tasks": InspectionTask.objects.filter(status__in=OPEN).count(),
        "hazards": _scalar("SELECT count(*) FROM inspections_hazard"),
        "open_hazards": Hazard.objects.filter(status__in=OPEN_HAZARD_STATUSES).count(),
        "cells": Grid.objects.filter(level=2).count(),
    }
    rows = {"counts": counts}
    big = counts["inspections"] > 1_000_000
    repeat = 3 if big else 7
    latest = Inspection.objects.aggregate(d=Max("inspected_on"))["d"]
    if latest is None:
        return {**rows, "skipped": "no inspections"}
    today = timezone.localdate()
    # The last full year with records: the annual report's period.
    year = latest.year - 1 if latest.year == today.year and latest.year > 1 else latest.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts["year"] = year
    counts["inspections_in_year"] = Inspection.objects.filter(inspected_on__range=(start, end)).count()

    rows["statistics_level1"] = _measure(
        lambda: statistics_by_grid(suite.user, start=start, end=end, level=Grid.Level.LEVEL_1), repeat=repeat)

    pages = Client()
    # The map-pages part sets passwords with an UPDATE: the session hash comes from the row.
    suite.user.refresh_from_db()
    pages.force_login(suite.user)

    def statistics_page():
        response = pages.get("/inspections/statistics/", {"start": start, "end": end})
        assert response.status_code == 200, response.status_code
    rows["statistics_level1"]["page_ms"] = median_ms(statistics_page, repeat=repeat)

    officer = _busiest_officer()
    if officer is not None:
        client = APIClient()
        client.force_authenticate(officer)

        def my_tasks_endpoint():
            response = client.get("/api/inspections/tasks/", {"mine": "1", "open": "1"})
            assert response.status_code == 200, response.status_code
        rows["officer_open_tasks"] = _measure(
            lambda: list(selectors.tasks_for_user(officer, mine=True, open_only=True)[:500]),
            repeat=repeat * 3, endpoint=my_tasks_endpoint)
        rows["officer_open_tasks"]["tasks"] = selectors.tasks_for_user(officer, mine=True, open_only=True).count()
        cell = InspectionTask.objects.filter(assignee=officer, status__in=OPEN).values("cell_id").first()["cell_id"]

        def history():
            return list(selectors.inspections_for_user(officer).filter(cell_id=cell)
                        .order_by("-inspected_on", "-id")[:50])
        rows["cell_history"] = _measure(history, repeat=repeat * 3)
        rows["cell_history"]["inspections_in_cell"] = Inspection.objects.filter(cell_id=cell).count()

    def open_hazards_endpoint():
        response = suite.client.get("/api/inspections/hazards/", {"open": "1"})
        assert response.status_code == 200, response.status_code
    rows["open_hazards"] = _measure(
        lambda: list(selectors.first_hazards_for_user(suite.user, 500, open_only=True).prefetch_related("photos")),
        repeat=repeat, endpoint=open_hazards_endpoint)
    return rows


def load_district_sample() -> dict:
    """The sample year's inspections, if this database was made before they existed. The
    synthetic enterprises (BENCH…) are hidden from the sample loader for the while: the points
    part deletes and re-makes them, which records pointing at them would forbid."""
    from gridmap.demo.inspections import YEAR, sample_inspections_load
    from gridmap.inspections.models import AnnualPlan

    if AnnualPlan.objects.filter(year=YEAR).exists():
        return {"sample": "present"}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_hidden ON COMMIT DROP AS SELECT id, cell_id "
                       "FROM enterprises_enterprise WHERE credit_code LIKE 'BENCH%' AND cell_id IS NOT NULL")
        cursor.execute("UPDATE enterprises_enterprise SET cell_id = NULL WHERE id IN (SELECT id FROM bench_hidden)")
        sample_inspections_load(password_hash="!", log=lambda *args: None)
        cursor.execute("UPDATE enterprises_enterprise e SET cell_id = h.cell_id FROM bench_hidden h WHERE e.id = h.id")
    return {"sample": "loaded", "seconds": time.perf_counter() - started}


def run(suite, *, total: int | None) -> dict:
    """The inspections part: at province scale top up to `total` first (done by province() in
    bench/run.py already, then a no-op), at district scale the sample's own inspections plus
    this quarter's open tasks of the sample's enterprises."""
    if total is None:
        load = {"district_sample": load_district_sample(), **top_up_inspections(0, sample_only=True)}
        return {"load": load, **inspection_reads(suite)}
    return {"load": top_up_inspections(total), "trigger_cost": trigger_cost(), **inspection_reads(suite)}
