from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import IntegrityError
from django.http import HttpResponse, JsonResponse

from gridmap.core.constraints import check_violation
from gridmap.core.ratelimit import RateLimited
from gridmap.core.views import API_PREFIXES

# For responses no browser renders as a page (JSON, GeoJSON, vector tiles, CSV, PDF, scripts):
# nothing may load and nothing may frame them, as OWASP advises for APIs.
NOT_A_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (with its per-request nonce) for HTML pages; a constant strict
    policy for everything else, which saves building a policy on every API and tile request
    (a fifth of a small request's time)."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = NOT_A_PAGE_POLICY
        return response


def _refusal(request, status: int, field: str | None, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({field: [message]} if field else {"detail": message}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestSizeMiddleware:
    """Refuses a body larger than GRIDMAP_MAX_REQUEST_BYTES by its Content-Length, before any
    of it is read: Django streams uploaded files to disk whatever their size and the views'
    own limits (photos, rosters) would only apply once the whole body had arrived."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(request, 400, None, "请求头 Content-Length 不是整数。")
        limit = settings.GRIDMAP_MAX_REQUEST_BYTES
        if length > limit:
            return _refusal(request, 413, None, f"请求内容过大（{length} 字节），上限为 {limit // (1024 * 1024)} MB。")
        return self.get_response(request)


class NulCharacterMiddleware:
    """A NUL character can never be stored in PostgreSQL text, so one in the path, a query
    parameter or a form field is refused here with the parameter's name, instead of failing
    deep inside a query (DRF's and Django forms' CharFields refuse it too, but many filters
    read parameters directly)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._field_with_nul(request)
        if field is not None:
            return _refusal(request, 400, field, f"{field}：不能包含空字符（NUL，%00）。")
        return self.get_response(request)

    @staticmethod
    def _field_with_nul(request) -> str | None:
        if "\x00" in request.path:
            return "path"
        sources = [request.GET]
        if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.POST)
        for source in sources:
            for name, values in source.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return name.replace("\x00", "")
        return None


class ConstraintViolationMiddleware:
    """A page whose write the database refused by a geometry constraint answers 400 with the
    constraint's Chinese message (naming the field) rather than 500; one refused by a rate
    limit (gridmap.core.ratelimit) answers 429 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, IntegrityError) and (violation := check_violation(exception)):
            field, message = violation
            return _refusal(request, 400, field, message)
        if isinstance(exception, RateLimited):
            # RFC 6585: too many requests, and when to try again.
            response = _refusal(request, 429, None, exception.message)
            response["Retry-After"] = str(exception.retry_after)
            return response
        return None
