"""Two app nodes behind a load balancer (HAProxy, from Debian), sharing one database and one
media folder, as docs/scaling.md deploys them: a session signed in through one works through
the other and through the balancer; a write through one (a sign-out) is seen through the other
within GRIDMAP_DATA_RECHECK_SECONDS, although each node keeps signed-in users in memory; an
export built by a job worker beside one node is downloaded through the other."""

import json
import shutil
import subprocess
import sys
import time

import pytest
from django.db import connection

from .live import PGBIN, REPO, Browser, Clusters, Node, database_url, free_port, psql, wait_for

pytestmark = pytest.mark.skipif(not shutil.which("haproxy") or not (PGBIN / "initdb").exists(),
                                reason="HAProxy or PostgreSQL's server binaries are not installed "
                                       "(scripts/install-system.sh installs both)")

RECHECK = 1.0
PASSWORD = "双节点测试-口令"

HAPROXY = """
global
    maxconn 256
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch
frontend gridmap
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
{servers}
listen stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
"""


@pytest.fixture
def cluster(db):
    """A database of the test's own (the test database copied), so the nodes' writes stay there."""
    clusters = Clusters()
    try:
        clusters.script("db.sh", "start")
        clusters.copy_database(database_url(connection.settings_dict))
        clusters.set_password("supervisor", PASSWORD)
        psql(clusters.primary_port, "DELETE FROM procrastinate_workers")
        yield clusters
    finally:
        clusters.stop()


@pytest.fixture
def nodes(cluster):
    # Each node shares GRIDMAP_DB_POOL_SIZE connections among its threads (Django's pool).
    env = {"DATABASE_URL": cluster.primary_url, "GRIDMAP_MEDIA_ROOT": str(cluster.folder / "media"),
           "GRIDMAP_DB_POOL_SIZE": "2",
           "GRIDMAP_DATA_RECHECK_SECONDS": str(RECHECK)}
    started = [Node(env, workers=1, threads=2), Node(env, workers=1, threads=2)]
    # A job worker beside the first node only (in a cluster the workers are a service of their own).
    worker = subprocess.Popen([sys.executable, "manage.py", "procrastinate", "worker", "--name", "two-nodes"],
                              cwd=REPO, env=started[0].env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port, stats_port = free_port(), free_port()
    servers = "\n".join(f"    server node{i} 127.0.0.1:{node.port} check inter 500ms"
                        for i, node in enumerate(started))
    config = cluster.folder / "haproxy.cfg"
    config.write_text(HAPROXY.format(port=port, stats_port=stats_port, servers=servers))
    balancer = None
    try:
        for node in started:
            node.wait_ready()
        balancer = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        wait_for(f"http://127.0.0.1:{port}/healthz", 20, balancer)
        # Both servers up in the balancer's eyes before the test spreads requests over them.
        deadline = time.monotonic() + 10
        while sum(row["status"].startswith("UP") for row in stats(stats_port)) < 2:
            assert time.monotonic() < deadline, "HAProxy did not see both nodes up"
            time.sleep(0.2)
        yield started, f"http://127.0.0.1:{port}", stats_port
    finally:
        if balancer is not None:
            balancer.kill()
            balancer.wait()
        worker.kill()
        worker.wait()
        for node in started:
            node.stop()


def stats(stats_port: int) -> list[dict]:
    """HAProxy's own figures for the two servers (CSV)."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{stats_port}/stats;csv", timeout=5) as response:
        lines = response.read().decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
    return [row for row in rows if row["pxname"] == "nodes" and row["svname"].startswith("node")]


def test_two_nodes_share_sessions_writes_and_media(nodes):
    (first, second), balanced, stats_port = nodes
    browser = Browser()
    browser.sign_in(first.base, "supervisor", PASSWORD)

    # Signed in through the first node: the session works through the second one and through
    # the balancer, whichever node that sends each request to.
    assert browser.get(f"{second.base}/enterprises/")[0] == 200
    before = {row["svname"]: int(row["stot"]) for row in stats(stats_port)}
    for _ in range(6):
        status, body = browser.get(f"{balanced}/enterprises/")
        assert status == 200 and "企业" in body
    after = {row["svname"]: int(row["stot"]) for row in stats(stats_port)}
    assert all(after[name] - before[name] >= 2 for name in before), (before, after)

    # The second node now keeps the signed-in user in memory. Signing out through the first
    # (a write: the session is deleted) reaches it within the recheck interval.
    kept = Browser()
    kept.cookies = dict(browser.cookies)
    status, _ = browser.request(f"{first.base}/accounts/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"]})
    assert status == 302 and "sessionid" not in browser.cookies
    signed_out_at = time.monotonic()
    while True:
        status, _ = kept.get(f"{second.base}/enterprises/")
        if status == 302:
            break
        assert time.monotonic() - signed_out_at < RECHECK + 1.0, "the second node still knew the signed-out user"
        time.sleep(0.05)

    # An export: asked through the first node, built by the worker beside it into the shared
    # media, and downloaded through the second.
    browser.sign_in(first.base, "supervisor", PASSWORD)
    status, body = browser.request(f"{first.base}/api/exports/", {"kind": "enterprises", "format": "csv"},
                                   {"X-CSRFToken": browser.cookies["csrftoken"]}, as_json=True)
    assert status == 202, body
    export = json.loads(body)["id"]
    deadline = time.monotonic() + 60
    while True:
        status, body = browser.get(f"{second.base}/api/exports/{export}/")
        state = json.loads(body)
        if state["status"] == "done":
            break
        assert state["status"] in ("queued", "running") and time.monotonic() < deadline, state
        time.sleep(0.3)
    # The file was written by the worker into the shared media; the second node serves it.
    assert state["download_url"].endswith(f"/api/exports/{export}/download/")
    path = state["download_url"].split("://", 1)[1].split("/", 1)[1]
    status, csv = browser.get(f"{second.base}/{path}")
    assert status == 200
    lines = csv.lstrip("\ufeff").splitlines()
    assert "统一社会信用代码" in lines[0] and len(lines) - 1 == state["rows"] > 0
