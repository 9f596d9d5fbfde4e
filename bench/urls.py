from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    """The framework's own floor: a Django view returning a constant."""
    return HttpResponse(b'{"ok": true}', content_type="application/json")


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("gridmap.urls")),
]
