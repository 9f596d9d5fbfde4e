"""The router's choices, request by request (no standby needed: tests/core/test_replica.py
runs them against a real one): which reads may go to the replica, read-your-own-writes by
the signed cookie, and a read-only page answered again from the primary when a read on the
replica failed."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch

from gridmap.accounts.models import User
from gridmap.core import dbrouting
from gridmap.core.models import DataVersion
from gridmap.enterprises.models import Enterprise

router = dbrouting.PrimaryReplicaRouter()


@pytest.fixture
def replica_up(monkeypatch, settings):
    """A replica configured and, as its last check said, streaming."""
    monkeypatch.setattr(dbrouting, "replica_configured", lambda: True)
    settings.GRIDMAP_REPLICA_CHECK_SECONDS = 3600
    monkeypatch.setattr(dbrouting.health, "usable", True)
    monkeypatch.setattr(dbrouting.health, "checked_at", time.monotonic())
    yield
    dbrouting._request.mode = None


def seen_by_view(request, reads=Enterprise):
    """Runs the middleware around a view that notes where its reads would go."""
    seen = {}

    def view(request):
        seen["db"] = router.db_for_read(reads)
        return HttpResponse("ok")

    response = dbrouting.ReplicaRoutingMiddleware(view)(request)
    return seen["db"], response


def test_without_a_request_or_a_replica_everything_reads_the_primary(replica_up):
    assert router.db_for_read(Enterprise) == "default"  # a job worker, a command
    assert router.db_for_write(Enterprise) == "default"


def test_a_get_reads_the_replica_but_not_sessions_users_or_versions(replica_up):
    assert seen_by_view(RequestFactory().get("/enterprises/"))[0] == "replica"
    for model in (Session, User, DataVersion):
        assert seen_by_view(RequestFactory().get("/enterprises/"), reads=model)[0] == "default"


def test_a_write_pins_the_request_and_the_browser_for_a_while(replica_up, settings):
    settings.GRIDMAP_READ_PRIMARY_SECONDS = 10
    db, response = seen_by_view(RequestFactory().post("/enterprises/"))
    assert db == "default"
    cookie = response.cookies[dbrouting.WROTE_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    # The next GET of that browser reads the primary; another browser's the replica.
    following = RequestFactory().get("/enterprises/")
    following.COOKIES[dbrouting.WROTE_COOKIE] = cookie.value
    assert seen_by_view(following)[0] == "default"
    assert seen_by_view(RequestFactory().get("/enterprises/"))[0] == "replica"
    # A forged cookie counts for nothing.
    forged = RequestFactory().get("/enterprises/")
    forged.COOKIES[dbrouting.WROTE_COOKIE] = "1"
    assert seen_by_view(forged)[0] == "replica"


def test_an_orm_write_during_a_get_pins_the_rest_of_it(replica_up):
    seen = []

    def view(request):
        seen.append(router.db_for_read(Enterprise))
        router.db_for_write(Enterprise)
        seen.append(router.db_for_read(Enterprise))
        with dbrouting.primary():
            seen.append(router.db_for_read(Enterprise))
        return HttpResponse("ok")

    response = dbrouting.ReplicaRoutingMiddleware(view)(RequestFactory().get("/"))
    assert seen == ["replica", "default", "default"]
    assert dbrouting.WROTE_COOKIE in response.cookies


def test_a_replica_lagging_or_down_is_left_for_the_primary(replica_up, monkeypatch):
    monkeypatch.setattr(dbrouting.health, "usable", False)
    assert seen_by_view(RequestFactory().get("/enterprises/"))[0] == "default"


def test_a_read_failing_on_the_replica_is_answered_again_from_the_primary(replica_up, monkeypatch):
    monkeypatch.setattr(dbrouting, "close_quietly", lambda alias: None)
    calls = []

    def view(request):
        db = router.db_for_read(Enterprise)
        calls.append(db)
        if db == "replica":
            raise OperationalError("terminating connection due to administrator command")
        return HttpResponse("from the primary")

    request = RequestFactory().get("/enterprises/")
    request.resolver_match = ResolverMatch(view, (), {})
    middleware = dbrouting.ReplicaRoutingMiddleware(lambda r: None)
    dbrouting._request.mode, dbrouting._request.used_replica = "replica", False
    try:
        view(request)
    except OperationalError as exc:
        response = middleware.process_exception(request, exc)
    assert calls == ["replica", "default"] and response.content == b"from the primary"
    assert dbrouting.health.usable is False  # until the next check
    # A POST is never run twice.
    post = RequestFactory().post("/enterprises/")
    dbrouting._request.used_replica = True
    assert middleware.process_exception(post, OperationalError("x")) is None
