import datetime as dt
import time

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from gridmap.core import versions

TOKEN_CACHE_SECONDS = 60
# Bounds the memory of a process that sees many tokens (it forgets them all at once).
TOKEN_CACHE_SIZE = 10_000
# What decides a token's user: the tokens, the user (active, password) and their roles.
TOKEN_TABLES = ("accounts_devicetoken", "accounts_user", "accounts_user_groups", "auth_group")
# A token's use is written down at most this often per process.
LAST_USED_EVERY = dt.timedelta(minutes=1)

# key -> (tables' versions, remembered until (monotonic), user, token); per process, not in
# Django's cache, because unpickling a user from the local-memory cache costs a tenth of a
# point lookup.
_remembered: dict[str, tuple[tuple, float, object, object]] = {}


class DeviceTokenAuthentication(TokenAuthentication):
    """django-rest-knox's device tokens, with a token's user remembered per process.

    Finding a token (a query and a SHA-512) costs more than a point lookup itself, so a
    process keeps a token's user while the tables that decide it are unchanged (gridmap.core
    .versions, read at most every GRIDMAP_DATA_RECHECK_SECONDS) and for at most
    TOKEN_CACHE_SECONDS: a revoked token, a password change, a deactivation or a role change
    reaches every process within that recheck time. Requests with the same token share the
    user object (copying it costs a tenth of a point lookup).
    """

    keyword = "Token"

    def authenticate_credentials(self, key):
        if isinstance(key, bytes):
            key = key.decode("utf-8", "replace")
        version = versions.of(TOKEN_TABLES, versions.current(pin=False))  # users, sessions, tokens: read on the primary
        now = time.monotonic()
        remembered = _remembered.get(key)
        if (remembered is not None and remembered[0] == version and remembered[1] > now
                and (remembered[3].expiry is None or remembered[3].expiry > timezone.now())):
            return remembered[2], remembered[3]
        user, token = super().authenticate_credentials(key.encode())
        user.role_names()  # asked by every scoped request: kept with the user
        moment = timezone.now()
        if token.last_used is None or token.last_used < moment - LAST_USED_EVERY:
            type(token).objects.filter(pk=token.pk).update(last_used=moment)
            token.last_used = moment
        if not versions.in_transaction():
            if len(_remembered) >= TOKEN_CACHE_SIZE:
                _remembered.clear()
            _remembered[key] = (version, now + TOKEN_CACHE_SECONDS, user, token)
        return user, token


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """The token scheme in the OpenAPI document: `Authorization: Token <key>`."""

    target_class = DeviceTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


_token_authentication = DeviceTokenAuthentication()


def token_user(request):
    """The active user of a valid `Authorization: Token …` header on a plain Django request,
    else None (no such header, or one DRF would refuse: the caller lets DRF answer that).

    Reads the header from META as DRF's `get_authorization_header` reads it from
    `request.headers`: building that mapping of every header costs a point lookup's time."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) != 2 or parts[0].lower() != _token_authentication.keyword.lower():
        return None
    try:
        user, _token = _token_authentication.authenticate_credentials(parts[1])
    except AuthenticationFailed:
        return None
    return user


def plain_user(request):
    """The user DRF's authentication classes (a token first, then the session) would find on
    a plain Django request, or None when they would find nobody or refuse the request."""
    if "HTTP_AUTHORIZATION" in request.META:
        return token_user(request)
    user = request.user  # the session's, from Django's AuthenticationMiddleware
    return user if user.is_authenticated and user.is_active else None
