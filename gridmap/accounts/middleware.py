"""Django's authentication middleware, with a session's user remembered per process.

A browser's map asks for a dozen tiles and layers at once, and each request read the session,
the user, the user's role and cells (four queries, several times a kept tile's own cost)
before a tile served from memory. A session's user is now kept per process while the tables that decide it are
unchanged (sessions, users, group memberships, groups: gridmap.core.versions, read at most
every GRIDMAP_DATA_RECHECK_SECONDS) and for at most REMEMBER_SECONDS. So a sign-out, a
password change, a deactivation or a role taken away reaches the other processes within
that recheck time (one second by default), and an expired session is refused at most
REMEMBER_SECONDS late.
"""

from __future__ import annotations

import copy
import threading
import time

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

from gridmap.core import versions

SESSION_TABLES = ("django_session", "accounts_user", "accounts_user_groups", "auth_group")
REMEMBER_SECONDS = 60
# Bounds the memory of a process that sees many sessions (it forgets them all at once).
REMEMBER_MAX = 10_000

# session key -> (tables' versions, remembered until (monotonic), user)
_remembered: dict[str, tuple[tuple, float, object]] = {}
_lock = threading.Lock()


def session_user(request):
    """The user of the request's session, as django.contrib.auth.get_user finds it."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return auth_middleware.get_user(request)
    # Read before the session and the user: a change committed in between gives a new
    # version at the next read, never a stale user under a current version.
    version = versions.of(SESSION_TABLES, versions.current(pin=False))  # users, sessions, tokens: read on the primary
    remembered = _remembered.get(key)
    if remembered is not None and remembered[0] == version and remembered[1] > time.monotonic():
        # A copy per request: a view may change attributes of request.user.
        request._cached_user = copy.copy(remembered[2])
        return request._cached_user
    user = auth_middleware.get_user(request)
    if user.is_authenticated and request.session.session_key == key and not versions.in_transaction():
        user.role_names()  # asked by every scoped request: kept with the user
        with _lock:
            if len(_remembered) >= REMEMBER_MAX:
                _remembered.clear()
            _remembered[key] = (version, time.monotonic() + REMEMBER_SECONDS, copy.copy(user))
    return user


def forget_session(key: str | None) -> None:
    if key:
        _remembered.pop(key, None)


@receiver(user_logged_in)
@receiver(user_logged_out)
def forget_the_session_signed_in_or_out(sender, request, **kwargs):
    # This process stops at once; the others when they next read the versions.
    if request is not None:
        forget_session(request.COOKIES.get(settings.SESSION_COOKIE_NAME))


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: session_user(request))
