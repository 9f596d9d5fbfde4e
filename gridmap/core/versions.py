"""The tables' data versions (core.DataVersion) as one process sees them.

Read at most every GRIDMAP_DATA_RECHECK_SECONDS: what a process answers from memory is at
most that old. A process that has just written calls `forget()` to read them again at once.

Always read from the primary (never the streaming replica, gridmap.core.dbrouting), and so
must be what is built or tagged under them: `current()` has the rest of the request read
the primary, unless the caller reads its data from the primary anyway (pin=False).
"""

from __future__ import annotations

import threading
import time

from django.db import connection

from . import dbrouting
from .conf import app_settings

_lock = threading.Lock()
_state = {"versions": {}, "read_at": float("-inf")}


def read() -> dict[str, str]:
    """The versions now, from the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, token::text FROM core_dataversion")
        return dict(cursor.fetchall())


def in_transaction() -> bool:
    """Inside a transaction (a test case's own aside), which may hold uncommitted writes: what
    is read there must not be kept, or it would outlive a rollback under versions that then
    say it is current."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


def current(pin: bool = True) -> dict[str, str]:
    """The versions, at most GRIDMAP_DATA_RECHECK_SECONDS old (read afresh, and not kept,
    inside a transaction). With `pin` the request's reads go to the primary from now on: a
    body or tag made under the primary's versions from a lagging replica's rows would be
    kept as current."""
    if pin:
        dbrouting.pin_primary()
    if in_transaction():
        return read()
    if time.monotonic() - _state["read_at"] < app_settings.DATA_RECHECK_SECONDS:
        return _state["versions"]
    with _lock:
        if time.monotonic() - _state["read_at"] >= app_settings.DATA_RECHECK_SECONDS:
            return refresh()
        return _state["versions"]


def refresh() -> dict[str, str]:
    """Read the versions now and remember them: whatever is built right after reading them
    carries the same versions that `current()` then gives (or newer data than they say,
    never older), so it is not rebuilt again until a table really changes."""
    versions = read()
    _state["versions"], _state["read_at"] = versions, time.monotonic()
    return versions


def of(tables: tuple[str, ...], versions: dict[str, str]) -> tuple[str | None, ...]:
    return tuple(versions.get(table) for table in tables)


def forget() -> None:
    _state["read_at"] = float("-inf")
