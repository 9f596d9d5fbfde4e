from django.http import JsonResponse
from django.views.defaults import page_not_found

API_PREFIXES = ("/api/", "/tiles/")


def not_found(request, exception=None):
    """API clients get JSON errors, people get the HTML page."""
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({"detail": "不存在"}, status=404)
    return page_not_found(request, exception)
