"""Liveness, readiness (database, replica, the worker's heartbeat) and metrics for the
operator's network only."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def worker_beat(seconds_ago: int) -> None:
    """A Procrastinate worker's row, as the worker writes it (its heartbeat every 10 s)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_workers")
        cursor.execute("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - %s * interval '1 second')",
                       [seconds_ago])


def test_healthz_answers_without_a_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_is_ready_with_the_database_and_a_beating_worker(client, monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    worker_beat(3)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["database"] == "ok" and body["ready"] is True
    assert body["replica"] == {"state": "未配置"}
    assert body["worker"]["state"] == "ok" and 0 <= body["worker"]["last_heartbeat_seconds_ago"] < 60


@pytest.mark.parametrize("seconds_ago", [600, None])
def test_readyz_is_not_ready_when_the_worker_is_silent_or_absent(client, seconds_ago):
    if seconds_ago is None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_workers")
    else:
        worker_beat(seconds_ago)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["worker"]["state"] == ("stale" if seconds_ago else "none")
    assert response.json()["database"] == "ok"


def test_readyz_reports_an_unreachable_replica_and_stays_ready(client, monkeypatch):
    # Nothing listens on port 1: the replica is down; reads would go to the primary.
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgis://postgres@127.0.0.1:1/gridmap")
    worker_beat(1)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["replica"]["state"] == "error"


def test_metrics_for_the_operators_network_only(client, settings):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'gridmap_http_requests_total{method="GET",route="/healthz",status="2xx"}' in text
    assert "gridmap_http_request_seconds_bucket" in text
    assert "gridmap_worker_heartbeat_age_seconds" in text and "gridmap_job_queue_depth" in text
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 404
    settings.GRIDMAP_METRICS_ALLOWED_NETS = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics").status_code == 404


def test_metrics_count_tile_cache_hits(client, supervisor):
    client.force_login(supervisor)
    for _ in range(2):
        assert client.get("/tiles/grids-level2/12/3378/1566.mvt").status_code == 200
    text = client.get("/metrics").content.decode()
    hit = 'gridmap_cache_lookups_total{cache="tiles",result="hit"}'
    hits = [line for line in text.splitlines() if line.startswith(hit)]
    assert hits and float(hits[0].split()[-1]) >= 1


def test_queue_depth_and_age(client, supervisor):
    from gridmap.jobs.services import export_request

    export_request(requester=supervisor, kind="hazards", fmt="csv")
    text = client.get("/metrics").content.decode()
    depth = [line for line in text.splitlines() if line.startswith('gridmap_job_queue_depth{queue="exports"}')]
    assert depth and float(depth[0].split()[-1]) >= 1
    assert 'gridmap_job_queue_oldest_seconds{queue="exports"}' in text
