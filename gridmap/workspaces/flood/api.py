from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.capabilities import COMMAND_FLOODS, requires
from gridmap.flood.selectors import ImpactQuery
from gridmap.geo.coords import CRS_NAMES, DEFAULT_CRS
from gridmap.geo.polygons import PolygonError, polygon_input

from .impact import impact_with_open_hazards


@extend_schema_field({"type": "object", "description": "GeoJSON Polygon 或 MultiPolygon（或其 Feature）",
                      "example": {"type": "Polygon", "coordinates": [[[116.9, 38.9], [117.0, 38.9],
                                                                      [117.0, 38.95], [116.9, 38.9]]]}})
class AreaField(serializers.Field):
    def to_internal_value(self, data):
        return data


class ImpactRequest(serializers.Serializer):
    geometry = AreaField(required=False, help_text="绘制的范围")
    zone = serializers.IntegerField(required=False, min_value=1, help_text="防汛责任区 id")
    crs = serializers.ChoiceField(choices=CRS_NAMES, default=DEFAULT_CRS,
                                  help_text="geometry 的坐标系（高德 gcj02，百度 bd09）")
    k = serializers.IntegerField(default=5, min_value=1, max_value=20, help_text="最近仓库个数")
    distance_m = serializers.FloatField(default=2000, min_value=0, max_value=50000,
                                        help_text="范围外此距离内的泵站也列出（米）")

    def validate(self, attrs):
        if ("geometry" in attrs) == ("zone" in attrs):
            raise serializers.ValidationError("请提供 geometry（绘制范围）或 zone（责任区）之一")
        return attrs


def _run(request, data):
    serializer = ImpactRequest(data=data)
    serializer.is_valid(raise_exception=True)
    values = serializer.validated_data
    try:
        area = polygon_input(values["geometry"], crs=values["crs"]) if "geometry" in values else None
    except PolygonError as exc:
        raise ValidationError({exc.field: [str(exc)]}) from exc
    result = impact_with_open_hazards(request.user, ImpactQuery(
        zone_id=values.get("zone"), area=area, k=values["k"], distance_m=values["distance_m"]))
    if result is None:
        raise NotFound("责任区不存在")
    return Response(result)


class ImpactView(APIView):
    """影响分析：责任区或绘制范围内的企业、风险点、未销号隐患、待办任务、应通知人员、泵站和最近仓库。"""

    permission_classes = [requires(COMMAND_FLOODS)]

    permission_classes = [requires(COMMAND_FLOODS)]

    @extend_schema(
        summary="影响分析（责任区）",
        parameters=[OpenApiParameter("zone", int, required=True, description="防汛责任区 id"),
                    OpenApiParameter("k", int, description="最近仓库个数（1–20）"),
                    OpenApiParameter("distance_m", float, description="泵站搜索距离（米）")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        data = {key: request.query_params[key] for key in ("zone", "k", "distance_m")
                if key in request.query_params}
        if "zone" not in data:
            raise ValidationError({"zone": ["缺少 zone 参数"]})
        return _run(request, data)

    @extend_schema(summary="影响分析（绘制范围）", request=ImpactRequest, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": "请求体应为 JSON 对象"})
        return _run(request, request.data)
