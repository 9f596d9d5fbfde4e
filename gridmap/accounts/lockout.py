"""Lock-out (django-axes) as the platform applies it: which address a request comes from
behind the TLS proxy, the 429 answer with Retry-After for pages and the API, and failures
that are not sign-ins (a wrong current password) counted as sign-in failures."""

import ipaddress

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render

from gridmap.core.views import wants_json


def client_address(request) -> str | None:
    """The client's address. Behind GRIDMAP_TRUSTED_PROXY_COUNT proxies, each appending the
    address it received from to X-Forwarded-For, the client is that many entries from the
    right: entries further left were written by the client and are not trusted."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.GRIDMAP_TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if entry.strip()]
    if not forwarded:
        return remote
    candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def retry_after_seconds(request=None) -> int:
    cool_off = get_cool_off(request)
    return max(1, int(cool_off.total_seconds())) if cool_off else 1


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After (RFC 6585): the sign-in page's message, or JSON for the API."""
    seconds = retry_after_seconds(request)
    if wants_json(request):
        response = JsonResponse(
            {"detail": f"连续登录失败次数过多，该账户已被暂时锁定，请 {max(1, seconds // 60)} 分钟后再试。"},
            status=429, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE,
                          {"cooloff_timedelta": get_cool_off(request)}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def is_locked_out(request, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def count_failure(request, username: str) -> None:
    """Record a failed proof of a password that was not a sign-in (as axes records those)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
