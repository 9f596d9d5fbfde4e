"""Reads to the streaming replica, writes to the primary.

With DATABASE_REPLICA_URL set (settings: DATABASES["replica"], `make replica` starts one),
the ORM's reads during a request go to the hot standby and everything else to the primary
("default"):

- writes, and every read inside a transaction on the primary (a service's own reads,
  `select_for_update`), go to the primary;
- a request that writes (a POST, PUT, PATCH or DELETE, or any ORM write) reads the primary
  for the rest of the request, and its user's next GRIDMAP_READ_PRIMARY_SECONDS too (a
  signed cookie with the time of the write): what a person has just saved is what the next
  page shows, whatever the replica's lag (read your own writes);
- the data versions that the per-process caches trust (gridmap.core.versions) are read from
  the primary, and so is whatever is built under them: a request that asks for them
  (`versions.current()`) reads the primary from then on, and a cache filled from the ORM
  fills inside `primary()`. Sessions, users, tokens, the job queue and the versions
  themselves (PRIMARY_APPS) are always read from the primary;
- the replica is used only while it streams and replays within
  GRIDMAP_REPLICA_MAX_LAG_SECONDS (checked on it at most every GRIDMAP_REPLICA_CHECK_SECONDS
  per process); stopped, cut off from the primary or behind, reads go to the primary by
  themselves. A page's read that fails on the replica mid-request (it stopped between two
  checks) is answered again from the primary (ReplicaRoutingMiddleware), so no request
  fails for it.

Outside a request (the job worker, management commands) everything reads the primary.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

from .conf import app_settings

PRIMARY = "default"
REPLICA = "replica"
# Apps whose rows are read from the primary even during a request that may use the replica:
# the data versions (core), who is signed in and may do what (sessions, accounts, auth,
# knox's tokens, axes' lock-outs), content types, and the job queue.
PRIMARY_APPS = frozenset({"core", "sessions", "accounts", "auth", "contenttypes", "axes", "knox", "procrastinate"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The signed cookie that remembers a user's last write (its value is the signer's timestamp).
WROTE_COOKIE = "gridmap_wrote"
WROTE_SALT = "gridmap.core.dbrouting.wrote"

# What the replica reports about itself: in recovery (a standby), its replay lag in seconds (0
# when it has replayed all it received; the primary's idle time would otherwise count as lag),
# and whether its WAL receiver streams from the primary.
LAG_SQL = """
    SELECT pg_is_in_recovery(),
           CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END,
           (SELECT status FROM pg_stat_wal_receiver)
"""

_request = threading.local()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def status_from(row) -> dict:
    """The replica's state from LAG_SQL's row: streaming, behind, disconnected or error."""
    in_recovery, lag, receiver = row
    if not in_recovery:
        return {"state": "error", "error": "不是备库（未处于恢复模式）"}
    lag = None if lag is None else round(float(lag), 3)
    if receiver != "streaming":
        return {"state": "disconnected", "lag_seconds": lag}
    behind = lag is None or lag > app_settings.REPLICA_MAX_LAG_SECONDS
    return {"state": "behind" if behind else "streaming", "lag_seconds": lag}


def measure(alias: str = REPLICA) -> dict:
    """The replica's state, asked on this thread's connection to it; a connection that failed
    is closed, so the next check connects afresh."""
    replica = connections[alias]
    try:
        with replica.cursor() as cursor:
            cursor.execute(LAG_SQL)
            return status_from(cursor.fetchone())
    except DatabaseError as exc:
        close_quietly(alias)
        return {"state": "error", "error": str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}


def close_quietly(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        pass


class ReplicaHealth:
    """Whether reads may go to the replica, checked at most every GRIDMAP_REPLICA_CHECK_SECONDS
    by this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.usable = False
        self.status: dict = {"state": "unknown"}
        self.checked_at = float("-inf")

    def allows_reads(self) -> bool:
        if time.monotonic() - self.checked_at < app_settings.REPLICA_CHECK_SECONDS:
            return self.usable
        with self.lock:
            if time.monotonic() - self.checked_at >= app_settings.REPLICA_CHECK_SECONDS:
                self.status = measure()
                self.usable = self.status["state"] == "streaming"
                self.checked_at = time.monotonic()
        return self.usable

    def failed(self) -> None:
        """A read on the replica failed: the primary until the next check."""
        self.usable, self.checked_at = False, time.monotonic()
        self.status = {"state": "error", "error": "读取失败"}

    def forget(self) -> None:
        self.checked_at = float("-inf")


health = ReplicaHealth()


def reads_from_replica(model) -> bool:
    if getattr(_request, "mode", None) != REPLICA:
        return False
    if model._meta.app_label in PRIMARY_APPS:
        return False
    if connections[PRIMARY].in_atomic_block:
        return False
    return health.allows_reads()


def pin_primary() -> None:
    """This request reads the primary from now on."""
    if getattr(_request, "mode", None) == REPLICA:
        _request.mode = PRIMARY


@contextmanager
def primary():
    """Reads inside the block go to the primary (a cache filled under the primary's versions)."""
    mode = getattr(_request, "mode", None)
    _request.mode = PRIMARY
    try:
        yield
    finally:
        _request.mode = mode


class PrimaryReplicaRouter:
    """settings.DATABASE_ROUTERS: see the module."""

    def db_for_read(self, model, **hints):
        if reads_from_replica(model):
            _request.used_replica = True
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        _request.wrote = True
        pin_primary()
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the standby replays the primary's migrations


class ReplicaRoutingMiddleware:
    """Chooses, per request, whether reads may go to the replica (see the module), remembers a
    write in a signed cookie, and answers a read-only request again from the primary when a
    read on the replica failed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        pinned = request.method not in SAFE_METHODS or self.wrote_lately(request)
        _request.mode = PRIMARY if pinned else REPLICA
        _request.wrote = _request.used_replica = False
        try:
            response = self.get_response(request)
            wrote = _request.wrote or request.method not in SAFE_METHODS
        finally:
            _request.mode = None
        if wrote:
            response.set_signed_cookie(
                WROTE_COOKIE, "1", salt=WROTE_SALT, max_age=app_settings.READ_PRIMARY_SECONDS, httponly=True,
                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response

    @staticmethod
    def wrote_lately(request) -> bool:
        return request.get_signed_cookie(WROTE_COOKIE, default=None, salt=WROTE_SALT,
                                         max_age=app_settings.READ_PRIMARY_SECONDS) is not None

    def process_exception(self, request, exception):
        if not (isinstance(exception, (OperationalError, InterfaceError)) and request.method in SAFE_METHODS
                and getattr(_request, "used_replica", False)):
            return None
        # The replica went away between two checks: the primary for this process until the
        # next check, and this request's view once more, reading the primary (a GET changes
        # nothing, so running it again is safe).
        health.failed()
        close_quietly(REPLICA)
        _request.mode, _request.used_replica = PRIMARY, False
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
            response = response.render()
        return response
