"""Health for load balancers and the operator: liveness (/healthz), readiness (/readyz: the
database, the replica, the job worker) and Prometheus metrics (/metrics, from the operator's
network only). None needs a sign-in; none shows a record."""

from __future__ import annotations

import ipaddress
import os

import dj_database_url
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from gridmap.accounts.lockout import client_address
from gridmap.core import dbrouting

from .conf import app_settings


def worker_heartbeat_age() -> float | None:
    """Seconds since the freshest heartbeat of a Procrastinate worker (each beats every 10 s
    into procrastinate_workers), or None when no worker is registered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXTRACT(EPOCH FROM now() - max(last_heartbeat)) FROM procrastinate_workers")
        age = cursor.fetchone()[0]
    return None if age is None else float(age)


def queue_figures() -> list[tuple[str, int, float]]:
    """(queue, jobs waiting, age of the oldest in seconds) per queue with jobs due now."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT j.queue_name, count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(e.at)), 0)
            FROM procrastinate_jobs j
            LEFT JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'
            WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
            GROUP BY j.queue_name""")
        return [(queue, int(count), float(age)) for queue, count, age in cursor.fetchall()]


def replica_state() -> dict:
    """The standby's state (streaming, behind, disconnected, error) and lag, read on it;
    "未配置" without DATABASE_REPLICA_URL. Reads go to it only while it is "streaming"
    (gridmap.core.dbrouting)."""
    url = os.environ.get("DATABASE_REPLICA_URL", "")
    if not url:
        return {"state": "未配置"}
    import psycopg

    params = dj_database_url.parse(url)
    try:
        with psycopg.connect(host=params["HOST"] or None, port=params["PORT"] or None, dbname=params["NAME"],
                             user=params["USER"] or None, password=params["PASSWORD"] or None,
                             connect_timeout=2) as replica:
            return dbrouting.status_from(replica.execute(dbrouting.LAG_SQL).fetchone())
    except psycopg.Error as exc:
        return {"state": "error", "error": str(exc).splitlines()[0][:200]}


@never_cache
@require_GET
def healthz(request):
    """The process lives and answers: no database, no sign-in."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def readyz(request):
    """Ready for traffic: the database answers and a job worker beat recently. The replica
    is reported but never makes the node unready (reads then go to the primary)."""
    body = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except Exception as exc:  # any failure to reach the database is "not ready"
        body["database"] = "error"
        body["database_error"] = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    body["replica"] = replica_state()
    if body["database"] == "ok":
        age = worker_heartbeat_age()
        fresh = age is not None and age <= app_settings.WORKER_STALE_SECONDS
        body["worker"] = {"state": "ok" if fresh else "stale" if age is not None else "none",
                          "last_heartbeat_seconds_ago": None if age is None else round(age, 1)}
    else:
        body["worker"] = {"state": "unknown", "last_heartbeat_seconds_ago": None}
    ready = body["database"] == "ok" and body["worker"]["state"] == "ok"
    body["ready"] = ready
    return JsonResponse(body, status=200 if ready else 503, json_dumps_params={"ensure_ascii": False})


class QueueCollector:
    """Job queue depth and age, and the worker's heartbeat, read at each scrape."""

    def collect(self):
        depth = GaugeMetricFamily("gridmap_job_queue_depth", "Jobs waiting to run, by queue", labels=["queue"])
        age = GaugeMetricFamily("gridmap_job_queue_oldest_seconds", "Age of the oldest waiting job", labels=["queue"])
        for queue, count, oldest in queue_figures():
            depth.add_metric([queue], count)
            age.add_metric([queue], oldest)
        yield depth
        yield age
        heartbeat = worker_heartbeat_age()
        yield GaugeMetricFamily("gridmap_worker_heartbeat_age_seconds", "Seconds since a job worker last beat",
                                value=-1 if heartbeat is None else heartbeat)


def allowed_to_read_metrics(request) -> bool:
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in app_settings.METRICS_ALLOWED_NETS)


@never_cache
@require_GET
def metrics(request):
    """Prometheus text format, for the operator's network (GRIDMAP_METRICS_ALLOWED_NETS);
    anyone else gets the same 404 as for a page that does not exist."""
    if not allowed_to_read_metrics(request):
        raise Http404("页面不存在")
    process = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)
    queue = CollectorRegistry()
    queue.register(QueueCollector())
    return HttpResponse(generate_latest(process) + generate_latest(queue), content_type=CONTENT_TYPE_LATEST)
