"""The streaming replica, for real: a primary of the test's own with the test database copied
in, a hot standby started by `make replica`'s script, and an app node given both URLs. List
pages read from the standby; a user who wrote reads the primary; a standby too far behind is
left for the primary; stopping it while pages are being read fails no request."""

import threading
import time

import pytest
from django.db import connection

from gridmap.enterprises.models import Enterprise

from ..live import PGBIN, Browser, Clusters, Node, database_url, psql

pytestmark = pytest.mark.skipif(not (PGBIN / "pg_basebackup").exists(),
                                reason="PostgreSQL's server binaries (pg_basebackup) are not installed")

# Wide enough for the steps before the lag is meant to exceed it on a loaded machine.
MAX_LAG = 12.0  # generous: on a loaded machine a page may take seconds, and the lag counts meanwhile
READ_PRIMARY = 4


@pytest.fixture
def clusters(db):
    clusters = Clusters()
    try:
        clusters.script("db.sh", "start")
        clusters.copy_database(database_url(connection.settings_dict))
        clusters.set_password("supervisor", "复制测试-口令")
        yield clusters
    finally:
        clusters.stop()


@pytest.fixture
def node(clusters):
    """The standby (`make replica`'s script) and an app node given both URLs, started side by
    side (the node connects to the standby at its first read)."""
    printed = []
    standby = threading.Thread(target=lambda: printed.append(clusters.script("replica.sh", "start")))
    standby.start()
    node = Node({"DATABASE_URL": clusters.primary_url, "DATABASE_REPLICA_URL": clusters.replica_url,
                 "GRIDMAP_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG), "GRIDMAP_REPLICA_CHECK_SECONDS": "0.1",
                 "GRIDMAP_READ_PRIMARY_SECONDS": str(READ_PRIMARY), "GRIDMAP_MEDIA_ROOT": str(clusters.folder)})
    try:
        node.wait_ready()
        standby.join(timeout=90)
        assert printed and f"DATABASE_REPLICA_URL={clusters.replica_url}" in printed[0], "the standby did not start"
        yield node
    finally:
        node.stop()


def replayed_everything(clusters) -> None:
    """Waits until the standby has replayed all the primary wrote (so its lag starts at 0)."""
    lsn = psql(clusters.primary_port, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + 10
    while psql(clusters.replica_port, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'") != "t":
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.05)


def test_list_pages_read_the_standby_and_fall_back_to_the_primary(clusters, node):
    import json

    assert psql(clusters.primary_port, "SELECT application_name || ':' || state FROM pg_stat_replication") == \
        f"gridmap_replica_{clusters.replica_port}:streaming"
    enterprise = Enterprise.objects.order_by("id").first()
    old_name, new_name = enterprise.name, "复制延迟测试企业"
    page = f"{node.base}/enterprises/?q={enterprise.credit_code}"

    # Signed in, and the page read once, before the clock below starts (the node's first
    # requests connect to both servers).
    browser = Browser()
    browser.sign_in(node.base, "supervisor", "复制测试-口令")
    assert browser.get(page)[0] == 200

    # The standby stops replaying: what the primary now writes is not on it.
    # (A commit just replayed: the standby's lag counts from its last replayed commit.)
    psql(clusters.primary_port, "SELECT txid_current()")
    replayed_everything(clusters)
    psql(clusters.replica_port, "SELECT pg_wal_replay_pause()")
    psql(clusters.primary_port, f"UPDATE enterprises_enterprise SET name = '{new_name}' WHERE id = {enterprise.pk}")

    # A browser that has not written lately reads the list page from the standby: the name
    # before the change.
    browser.cookies.pop("gridmap_wrote", None)
    status, body = browser.get(page)
    assert status == 200 and old_name in body and new_name not in body, "the list page did not read the standby"
    readiness = json.loads(browser.get(f"{node.base}/readyz")[1])
    assert readiness["replica"]["state"] == "streaming", readiness

    # Signing in writes (the session): a browser that just did reads the primary for
    # GRIDMAP_READ_PRIMARY_SECONDS, and sees the change at once; the other still the standby.
    writer = Browser()
    writer.sign_in(node.base, "supervisor", "复制测试-口令")
    assert "gridmap_wrote" in writer.cookies
    status, body = writer.get(page)
    assert status == 200 and new_name in body, "a user who has just written did not read the primary"
    assert old_name in browser.get(page)[1]

    # Behind by more than GRIDMAP_REPLICA_MAX_LAG_SECONDS: reads go to the primary by themselves.
    time.sleep(MAX_LAG + 0.5)
    status, body = browser.get(page)
    assert status == 200 and new_name in body, "a lagging standby was still read"
    readiness = json.loads(browser.get(f"{node.base}/readyz")[1])
    assert readiness["replica"]["state"] == "behind" and readiness["replica"]["lag_seconds"] > MAX_LAG

    # Replaying again, it is read again (and now has the change).
    psql(clusters.replica_port, "SELECT pg_wal_replay_resume()")
    replayed_everything(clusters)
    status, body = browser.get(page)
    assert status == 200 and new_name in body

    # Stopped while pages are read: not one request fails.
    statuses, stop = [], threading.Event()

    def read_pages():
        reader = Browser()
        reader.cookies = {k: v for k, v in browser.cookies.items() if k != "gridmap_wrote"}
        while not stop.is_set():
            statuses.append(reader.get(page)[0])

    readers = [threading.Thread(target=read_pages) for _ in range(2)]
    for reader in readers:
        reader.start()
    time.sleep(0.5)
    clusters.script("replica.sh", "stop")
    time.sleep(1.0)
    stop.set()
    for reader in readers:
        reader.join(timeout=30)
    assert statuses and set(statuses) == {200}, statuses
    readiness = json.loads(browser.get(f"{node.base}/readyz")[1])
    assert readiness["replica"]["state"] == "error" and readiness["database"] == "ok"
    status, body = browser.get(page)
    assert status == 200 and new_name in body
