from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    """The framework's own floor: a Django view returning a constant."""
    return HttpResponse(b'{"ok": true}', content_type="application/json")


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("gridmap.urls")),
]


def lookup_plain(request):
    """Experiment: the lookup's answer (from the in-memory index) behind a bare Django view
    (no DRF, no authentication)."""
    from gridmap.grids.cell_index import cell_answer_json

    body = cell_answer_json(float(request.GET["lon"]), float(request.GET["lat"]))
    return HttpResponse(body, content_type="application/json")


def covers_plain(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM grids_grid WHERE level >= 2 AND "
                       "ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) LIMIT 1",
                       [float(request.GET["lon"]), float(request.GET["lat"])])
        row = cursor.fetchone()
    return HttpResponse(row[0] if row else b"", content_type="text/plain")


urlpatterns += [path("bench/lookup-plain/", lookup_plain), path("bench/covers-plain/", covers_plain)]
