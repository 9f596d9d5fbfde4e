import hashlib

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse, HttpResponseNotModified
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.core.geojson import feature_collection

from .registry import get_layer, layers_for


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
        layer = get_layer(name)
        if layer is None or not layer.allowed(request.user):
            raise NotFound(f"没有图层 {name}")
        queryset = layer.source(request.user)
        if "bbox" in request.query_params:
            bbox = parse_bbox(request.query_params["bbox"])
            queryset = queryset.filter(**{f"{layer.geom_field}__bboverlaps": bbox})
        try:
            for parameter, lookup in layer.filters.items():
                if parameter in request.query_params:
                    queryset = queryset.filter(**{lookup: request.query_params[parameter]})
        except (ValueError, DjangoValidationError) as exc:
            raise ValidationError({"detail": f"筛选参数格式错误：{exc}"}) from exc
        body = feature_collection(queryset, geom=layer.geom_field, properties=layer.properties)
        etag = '"' + hashlib.blake2b(body.encode(), digest_size=16).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            return HttpResponseNotModified(headers={"ETag": etag})
        response = HttpResponse(body, content_type="application/geo+json")
        response["ETag"] = etag
        # Per-user data (the scope rule): private caches only, revalidated each time.
        response["Cache-Control"] = "private, no-cache"
        response["Vary"] = "Cookie, Authorization"
        return response
