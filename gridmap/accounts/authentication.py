import time

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

TOKEN_CACHE_SECONDS = 60
# Bounds the memory of a process that sees many tokens (it forgets them all at once).
TOKEN_CACHE_SIZE = 10_000

# key -> (expires at, user, token); per process, not in Django's cache, because unpickling a
# user from the local-memory cache costs a tenth of a point lookup.
_remembered: dict[str, tuple[float, object, object]] = {}


class CachedTokenAuthentication(TokenAuthentication):
    """DRF token authentication that remembers a token's user for a minute per process.

    The token query costs more than a point lookup itself;
    the price is that a deleted token or deactivated user is refused up to a minute late.
    Requests with the same token share the user object (copying it costs a tenth of a point
    lookup). What is cached on that object (Django's permission sets, the user's role
    names) is as old as the token's entry at most: a role change reaches a token
    client within the same minute.
    """

    def authenticate_credentials(self, key):
        now = time.monotonic()
        remembered = _remembered.get(key)
        if remembered is None or remembered[0] <= now:
            user, token = super().authenticate_credentials(key)
            if len(_remembered) >= TOKEN_CACHE_SIZE:
                _remembered.clear()
            remembered = _remembered[key] = (now + TOKEN_CACHE_SECONDS, user, token)
        return remembered[1], remembered[2]


_token_authentication = CachedTokenAuthentication()


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
