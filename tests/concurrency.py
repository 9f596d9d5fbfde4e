"""Tests on real, separate database connections: what one connection commits is what another
(a second request, the live server of the browser tests) sees."""

import threading
import time

from django.db import connection, connections, transaction


def committed(work):
    """Run `work` on a connection of its own, committed at once (the test's own transaction
    stays open until the test ends, unseen by other connections); its result, or its error."""
    done = {}

    def run():
        try:
            done["value"] = work()
        except Exception as exc:  # raised below, in the test
            done["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if "error" in done:
        raise done["error"]
    return done.get("value")


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Inside the test's transaction the statistics are a snapshot unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def sent_twice_at_once(send):
    """Call `send()` on two connections at the same moment: A sends and holds its transaction
    open; B sends too and must wait on a lock A holds; A commits. Returns (A's, B's) results
    (B's may be an exception). Both committed for real: the caller removes what they stored."""
    inserted, release, results = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                results["a"] = send()
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            inserted.wait(10)
            results["b"] = send()
        except Exception as exc:  # reported by the caller
            results["b"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert inserted.wait(10), results
        deadline = time.monotonic() + 10
        while not waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_on_a_lock(), f"the second request never waited on the first: {results}"
    finally:
        release.set()
        for thread in threads:
            thread.join(20)
    return results["a"], results["b"]
