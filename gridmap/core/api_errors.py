"""One exception mapping for the API: services refuse with Django's ValidationError and
PermissionDenied (the same exceptions a page shows), and the API answers them with DRF's
400 and 403 (a client_id sent again with other content, core.sync.Conflict, is a 409), so
API views call services without wrapping each call."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from gridmap.core.constraints import check_violation
from gridmap.core.ratelimit import RateLimited
from gridmap.core.sync import Conflict, ConflictError
from gridmap.core.views import error_response


def validation_detail(exc: DjangoValidationError) -> dict | list:
    """Field errors by field name (the form-wide ones under DRF's non-field key), or a list."""
    if not hasattr(exc, "error_dict"):
        return exc.messages
    return {(api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): messages
            for name, messages in exc.message_dict.items()}


def exception_handler(exc, context):
    if isinstance(exc, IntegrityError) and (violation := check_violation(exc)):
        # A write the database refused by a geometry constraint: the field and its message.
        field, message = violation
        set_rollback()
        return Response({field: [message]}, status=400)
    if isinstance(exc, RateLimited):
        # RFC 6585: too many requests, and when (seconds) to try again.
        return Response({"detail": exc.message}, status=429, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, Conflict):
        exc = ConflictError(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        # DRF's own handler answers 403 too, but drops the refusal's Chinese message.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    return _as_page(response, context) or response


# Refusals and absences a person meets in the browser; field errors (400, 409) stay on the
# browsable API's form, which shows them beside the fields.
PAGE_STATUSES = {401, 403, 404, 405, 429}


def _as_page(response, context):
    """The site's error page instead of the browsable API's, for a browser."""
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if response is None or response.status_code not in PAGE_STATUSES or getattr(renderer, "format", "") != "api":
        return None
    data = response.data if isinstance(response.data, dict) else {}
    page = error_response(request._request, response.status_code, str(data.get("detail", "")))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            page[header] = response[header]
    return page
