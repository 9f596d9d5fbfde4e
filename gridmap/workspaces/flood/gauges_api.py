"""/api/flood/readings/ (the gauges' data loggers) and /api/flood/stations/ (the stations and
their state, GeoJSON). The paths and field names are contracts (issue 17)."""

from __future__ import annotations

import hashlib

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.capabilities import COMMAND_FLOODS, FEED_READINGS, requires
from gridmap.core.geojson import feature_collection_bytes
from gridmap.flood.gauges import stations_for_user
from gridmap.flood.ingest import ReadingsRefused, RowError, readings_record

from .situation import (
    STATION_PROPERTIES,
    UnknownPart,
    known_tags,
    not_modified_response,
    part_tags,
    parts_named,
    situation,
    situation_tag,
)


class ReadingsView(APIView):
    """水雨情数据接入：一批最多 10,000 条，整批写入或整批拒绝；同一测站同一时间只存一次。"""

    permission_classes = [requires(FEED_READINGS)]

    @extend_schema(
        summary="提交水雨情数据",
        request={"application/json": {"type": "object", "properties": {"readings": {
            "type": "array", "maxItems": 10000, "items": {"type": "object", "properties": {
                "station": {"type": "string"}, "time": {"type": "string", "format": "date-time"},
                "value": {"type": "number"}}, "required": ["station", "time", "value"]}}}}},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("readings"), list):
            return refused([RowError(0, "readings", "请求体应为 {\"readings\": [{station, time, value}, …]}")])
        try:
            result = readings_record(actor=request.user, rows=body["readings"])
        except ReadingsRefused as exc:
            return refused(exc.errors)
        return Response({"received": result.received, "created": result.created})


def refused(errors: list[RowError]) -> Response:
    return Response({"errors": [error.as_dict() for error in errors]}, status=400)


class StationsView(APIView):
    """水雨情测站及其当前状态（GeoJSON）。"""

    @extend_schema(summary="水雨情测站（GeoJSON）", responses={(200, "application/geo+json"): OpenApiTypes.OBJECT,
                                                           304: None})
    def get(self, request):
        body = feature_collection_bytes(stations_for_user(request.user), geom="location",
                                        properties=STATION_PROPERTIES)
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        if request.META.get("HTTP_IF_NONE_MATCH") == etag:
            return not_modified_response(etag)
        response = HttpResponse(body, content_type="application/geo+json")
        response["ETag"] = etag
        return response


KNOWN_HELP = "已持有的部分及其标签（名称:标签，逗号分隔），标签未变的部分不再返回，列在 kept 中"


class SituationView(APIView):
    """防汛指挥图的实时态势：按名称组合的各部分（测站、险情报告、调度、未销号隐患、责任区状态），未变化时返回 304。"""

    permission_classes = [requires(COMMAND_FLOODS)]

    @extend_schema(summary="实时态势", responses={200: OpenApiTypes.OBJECT, 304: None},
                   parameters=[OpenApiParameter("parts", str, description="以逗号分隔的部分名称，默认全部"),
                               OpenApiParameter("known", str, description=KNOWN_HELP)])
    def get(self, request):
        names = [name for name in request.query_params.get("parts", "").split(",") if name.strip()]
        try:
            parts = parts_named(request.user, [name.strip() for name in names])
        except UnknownPart as exc:
            raise ValidationError({"parts": [str(exc)]}) from exc
        tags = part_tags(request.user, parts)
        etag = situation_tag(tags)
        if request.META.get("HTTP_IF_NONE_MATCH") == etag:
            return not_modified_response(etag)
        known = known_tags(request.query_params.get("known", ""))
        response = Response(situation(request.user, parts, tags, known))
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        return response
