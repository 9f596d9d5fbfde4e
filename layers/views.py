import hashlib
from email.utils import format_datetime

from django.contrib.gis.geos import Polygon
from django.core.exceptions import EmptyResultSet
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Max
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.authentication import plain_user
from gridmap.core import versions
from gridmap.core.geojson import (
    EMPTY_COLLECTION,
    feature_collection_bytes,
    run_feature_collection_sql,
    stream_feature_collection,
)
from gridmap.grids.scope import scope_for

from . import tiles
from .registry import Layer, get_layer, layers_for

# Per-user data (the scope rule): only private caches, and they must revalidate.
CACHE_CONTROL = "private, no-cache"


def parse_bbox(text: str) -> Polygon:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not (values[0] < values[2] and values[1] < values[3]):
        raise ValidationError({"bbox": "bbox 应为 minLon,minLat,maxLon,maxLat"})
    bbox = Polygon.from_bbox(values)
    bbox.srid = 4326
    return bbox


def visible_layer(request, name: str) -> Layer:
    layer = get_layer(name)
    if layer is None or not layer.allowed(request.user):
        raise NotFound(f"没有图层 {name}")
    return layer


def intersecting(layer: Layer, queryset, box: Polygon):
    """The features whose geometry intersects the box (touching counts), not only their
    envelope: ST_Intersects, which first narrows by the spatial index (&&) itself, so a
    box costs the exact test on the index's candidates only (GeoJSON and the OGC API)."""
    return queryset.filter(**{f"{layer.geom_field}__intersects": box})


def property_filtered(layer: Layer, queryset, params):
    """The registry's property filters of the layer that `params` (a query dict) names."""
    try:
        for parameter, lookup in layer.filters.items():
            if parameter in params:
                queryset = queryset.filter(**{lookup: params[parameter]})
    except (ValueError, DjangoValidationError) as exc:
        raise ValidationError({"detail": f"筛选参数格式错误：{exc}"}) from exc
    return queryset


def filtered_source(layer: Layer, request):
    """The layer's scoped queryset with the request's bbox and property filters."""
    queryset = layer.source(request.user)
    if "bbox" in request.query_params:
        queryset = intersecting(layer, queryset, parse_bbox(request.query_params["bbox"]))
    return property_filtered(layer, queryset, request.query_params)


def filtered(layer: Layer, request) -> bool:
    return "bbox" in request.query_params or any(p in request.query_params for p in layer.filters)


def cheap_validators(layer: Layer, queryset, variant: str):
    """(ETag, Last-Modified) from the rows' count and newest timestamp, without encoding.

    The queryset's SQL is part of the tag, so the caller's scope and filters are too.
    """
    if not layer.updated_field:
        return None, None
    stats = queryset.order_by().aggregate(n=Count("pk"), last=Max(layer.updated_field))
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.blake2b(
        f"{sql}|{params}|{variant}|{stats['n']}|{stats['last']}".encode(), digest_size=16)
    return f'W/"{digest.hexdigest()}"', stats["last"]


def version_tag(layer: Layer, sql: str, params, variant: str) -> str:
    """ETag from the data versions of the layer's source tables and its query (which holds the
    caller's scope, the filters and the day): no row of the layer is read. The versions are
    read before the rows, so a tag is never newer than the body it goes with."""
    token = versions.of(layer.source_tables, versions.current())
    digest = hashlib.blake2b(f"{sql}|{params}|{variant}|{token}".encode(), digest_size=16)
    return f'W/"{digest.hexdigest()}"'


def with_validators(response, etag, last_modified):
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = format_datetime(last_modified, usegmt=True)
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Cookie, Authorization"
    return response


def not_modified(request, etag) -> bool:
    return etag is not None and request.META.get("HTTP_IF_NONE_MATCH") == etag


class LayerListView(APIView):
    @extend_schema(summary="图层列表（样式、字段、地址）", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"layers": [layer.describe() for layer in layers_for(request.user)]})


class LayerGeoJSONView(APIView):
    @extend_schema(
        summary="图层要素（GeoJSON）",
        parameters=[OpenApiParameter("bbox", str, description="minLon,minLat,maxLon,maxLat")],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request, name: str):
        layer = visible_layer(request, name)
        if layer.source_tables and not layer.stream:
            return self.versioned(request, layer)
        queryset = filtered_source(layer, request)
        etag, last_modified = cheap_validators(layer, queryset, "geojson")
        if not_modified(request, etag):
            return with_validators(HttpResponseNotModified(), etag, last_modified)
        encode = dict(geom=layer.geom_field, properties=layer.properties)
        if layer.stream:
            response = StreamingHttpResponse(stream_feature_collection(queryset, **encode),
                                             content_type="application/geo+json")
        else:
            # Encoded once: the tag's digest and the response share the bytes (megabytes).
            body = feature_collection_bytes(queryset, **encode)
            if etag is None:
                etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
                if not_modified(request, etag):
                    return with_validators(HttpResponseNotModified(), etag, None)
            response = HttpResponse(body, content_type="application/geo+json")
        return with_validators(response, etag, last_modified)

    @staticmethod
    def versioned(request, layer: Layer):
        """A layer with declared source tables: the tag before the query, the query compiled
        once per scope and day (and prepared on the connection) when unfiltered."""
        unfiltered = not filtered(layer, request)
        if unfiltered:
            compiled = tiles.compiled_sources.get(layer, scope_for(request.user), lambda: layer.source(request.user),
                                                  purpose="geojson")
        else:
            try:
                compiled = tiles.layer_feature_collection_sql(layer, filtered_source(layer, request))
            except EmptyResultSet:
                compiled = None
        sql, params = compiled or ("", ())
        etag = version_tag(layer, sql, params, "geojson")
        if not_modified(request, etag):
            return with_validators(HttpResponseNotModified(), etag, None)
        body = run_feature_collection_sql(sql, params, prepare=unfiltered) if compiled else EMPTY_COLLECTION.encode()
        return with_validators(HttpResponse(body, content_type="application/geo+json"), etag, None)


def tile_response(request, layer: Layer, user, z: int, x: int, y: int, filtered_queryset=None):
    """The tile as made by the layer's tile function, from `filtered_queryset` when the
    request filters the layer, else kept per scope (tiles.cached_tile)."""
    if filtered_queryset is None:
        body = tiles.cached_tile(layer, scope_for(user), lambda: layer.source(user), z, x, y)
    else:
        body = tiles.tile(layer, filtered_queryset, z, x, y)
    # A tile query costs about as much as a validator query would, so the tag is the
    # tile's own digest: a revalidation saves the transfer, not the query.
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    if not_modified(request, etag):
        return with_validators(HttpResponseNotModified(), etag, None)
    if not body:
        return with_validators(HttpResponse(status=204), etag, None)
    return with_validators(HttpResponse(body, content_type="application/vnd.mapbox-vector-tile"), etag, None)


class LayerTileView(APIView):
    def dispatch(self, request, *args, **kwargs):
        return self.answer_plainly(request, **kwargs) or super().dispatch(request, *args, **kwargs)

    def answer_plainly(self, request, name: str, z: int, x: int, y: int) -> HttpResponse | None:
        """The common call answered without DRF's request wrapping (a quarter of the time of
        a kept tile): a GET of a whole tile, no query, by a signed-in user or a valid token.
        Anything else (a filter, a refused token, an error) goes through DRF below, which
        gives the same answer for this case too."""
        if request.method != "GET" or request.META.get("QUERY_STRING"):
            return None
        user = plain_user(request)
        if user is None:
            return None
        layer = get_layer(name)
        if layer is None or not tiles.valid_tile(z, x, y) or z < layer.min_zoom or not layer.allowed(user):
            return None
        request.user = user
        response = tile_response(request, layer, user, z, x, y)
        # The headers DRF's finalize_response adds to the same answer.
        headers = dict(self.default_response_headers)
        if "Vary" in headers:
            patch_vary_headers(response, [headers.pop("Vary")])
        for key, value in headers.items():
            response[key] = value
        return response

    @extend_schema(
        summary="图层矢量切片（Mapbox Vector Tile）",
        responses={(200, "application/vnd.mapbox-vector-tile"): OpenApiTypes.BINARY,
                   204: None},
    )
    def get(self, request, name: str, z: int, x: int, y: int):
        layer = visible_layer(request, name)
        if not tiles.valid_tile(z, x, y):
            raise NotFound("切片编号超出范围")
        if z < layer.min_zoom:
            return HttpResponse(status=204)
        filtered_queryset = filtered_source(layer, request) if filtered(layer, request) else None
        return tile_response(request, layer, request.user, z, x, y, filtered_queryset)
