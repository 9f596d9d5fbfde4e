from django.db import IntegrityError
from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from gridmap.core.constraints import check_violation

API_PREFIXES = ("/api/", "/tiles/")


def not_found(request, exception=None):
    """API clients get JSON errors, people get the HTML page."""
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({"detail": "不存在"}, status=404)
    return page_not_found(request, exception)


def api_exception_handler(exc, context):
    """DRF's handler, plus: a write the database refused by a geometry constraint is a 400
    naming the field, with the constraint's Chinese message."""
    if isinstance(exc, IntegrityError) and (violation := check_violation(exc)):
        field, message = violation
        set_rollback()
        return Response({field: [message]}, status=400)
    return exception_handler(exc, context)
