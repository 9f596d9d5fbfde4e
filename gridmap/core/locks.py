"""Transaction-scoped advisory locks: writers of the same kind wait for each other."""

from django.db import connection


def serialize(name: str) -> None:
    """Block until no other transaction holds the lock `name`; released at commit/rollback.

    Imports validate the state they will write against what is stored; two imports at once
    could each pass against a state the other is about to change (write skew). Taking the
    same lock first makes the second one validate against the first one's result.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
