"""Statements PostgreSQL plans once per connection and then runs from its plan.

The ORM binds parameters on the client (Django's default for psycopg 3), so nothing it sends
is ever prepared and a connection pooler stays free to hand connections around. A few hot
statements are the exception: a tile or a layer's FeatureCollection is one statement
whose text is the same for every tile of a zoom level and scope, and planning it took about
as long as running it. Those go through `prepared_cursor()`, and
the connection's plan_cache_mode=force_generic_plan (settings), which only they follow, has
PostgreSQL plan each of them once for any values.

psycopg names and keeps the statements per connection (the last 100 used), re-prepares them
on a new connection, and PostgreSQL re-plans them after a schema change. PgBouncer in
transaction mode needs `max_prepared_statements` (1.21 and later) for them.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper


class PreparingCursor(ServerBindingCursor):
    """A server-binding cursor that prepares every statement it runs."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class PreparedDebugWrapper(CursorDebugWrapper):
    """Logs the statement as it is prepared, its values apart (Django's log otherwise reads
    the text of the last run from psycopg, which keeps none for a prepared statement)."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def prepared_cursor():
    """Like `connection.cursor()` (same connection and transaction, same error wrapping and
    query logging), for statements worth preparing."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = PreparingCursor(connection.connection)
    connection.validate_thread_sharing()
    cursor = PreparedDebugWrapper(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor
