"""Small timing helpers: medians of repeated runs after a warm-up."""

from __future__ import annotations

import functools
import io
import statistics
import time
from collections.abc import Callable


def median_ms(func: Callable[[], object], *, repeat: int = 7, warmup: int = 1,
              clock: Callable[[], float] = time.perf_counter) -> float:
    """The median time of `func` in ms, by the wall clock or another (time.process_time: CPU)."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = clock()
        func()
        samples.append((clock() - start) * 1000)
    return statistics.median(samples)


def wsgi_get(path: str, headers: dict[str, str] | None = None) -> tuple[str, bytes]:
    """GET through the project's WSGI application as the server calls it: the middleware,
    authentication and view of a real request, without HTTP parsing or the test client's
    bookkeeping. headers: {"Authorization": ...}; returns (status line, body)."""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()}
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    status = []
    chunks = wsgi_application()(environ, lambda line, _headers, _exc_info=None: status.append(line))
    try:
        return status[0], b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()


@functools.cache
def wsgi_application():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def drf_gis_serializer_for(layer):
    """The plain drf-gis serializer of a registry layer: the same properties, read from the same
    scoped queryset (annotations included), serialised feature by feature in Python."""
    from rest_framework import serializers
    from rest_framework_gis.serializers import GeoFeatureModelSerializer

    attributes = {name: serializers.ReadOnlyField() for name in layer.properties}

    def build(queryset):
        meta = type("Meta", (), {"model": queryset.model, "geo_field": layer.geom_field,
                                 "fields": ("id", *layer.properties)})
        serializer = type("LayerSerializer", (GeoFeatureModelSerializer,), {**attributes, "Meta": meta})
        return serializer(queryset, many=True).data

    return build


def geojson_contenders(layer, client, user):
    """A registry layer's GeoJSON for the user, made three ways to be timed against each other:
    one raw SQL query (json_agg), the layer endpoint through the client, the plain drf-gis
    serializer. Returns the three functions (raw, endpoint, drf_gis)."""
    import json

    from django.db import connection

    from gridmap.core.geojson import feature_collection_sql

    sql, params = feature_collection_sql(layer.source(user), geom=layer.geom_field, properties=layer.properties)
    serialize = drf_gis_serializer_for(layer)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def endpoint():
        response = client.get(f"/api/layers/{layer.name}.geojson")
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    def drf_gis():
        return json.dumps(serialize(layer.source(user)), default=str)

    return raw, endpoint, drf_gis
