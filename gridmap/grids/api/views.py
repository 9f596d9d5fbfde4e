import datetime as dt
import math
import re
from urllib.parse import parse_qsl

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.authentication import token_user
from gridmap.core.geojson import feature_collection
from gridmap.core.negotiation import FirstRendererOnly
from gridmap.geo.coords import (
    CRS_NAMES,
    CRS_NAMES_TEXT,
    DEFAULT_CRS,
    LONLAT_CRS,
    OBFUSCATED_CRS,
    CoordinateError,
    to_wgs84_arrays,
)
from gridmap.grids.cell_index import cell_answer_json_for
from gridmap.grids.models import Grid, GridAssignment
from gridmap.grids.scope import active_on
from gridmap.grids.selectors import (
    assignments_of_grid,
    cell_at_point_json_for,
    first_generation_day,
    grids_for_user,
)

GRID_PROPERTIES = ("code", "name", "level", "kind", "parent_code", "parent_name", "area_m2",
                   "officers")


class LevelQuery(serializers.Serializer):
    level = serializers.ChoiceField(choices=[0, 1, 2, 3], required=False)


class LookupQuery(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    crs = serializers.ChoiceField(choices=CRS_NAMES, default=DEFAULT_CRS)
    on = serializers.DateField(required=False, help_text="日期 YYYY-MM-DD：该日的网格边界和值守人员（默认今天）")


class OfficerSerializer(serializers.Serializer):
    name = serializers.CharField()
    username = serializers.CharField(required=False, help_text="仅当网格在调用者的查看范围内时给出")
    phone = serializers.CharField(required=False, help_text="仅当网格在调用者的查看范围内时给出")
    role = serializers.CharField()


class ParentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    kind = serializers.CharField()
    parent = ParentSerializer()
    officers = OfficerSerializer(many=True)
    lon = serializers.FloatField()
    lat = serializers.FloatField()


class GridCollectionView(APIView):
    """The grids the caller may see, as a GeoJSON FeatureCollection built in PostGIS."""

    @extend_schema(
        parameters=[OpenApiParameter("level", int, enum=[0, 1, 2, 3], description="网格级别"),
                    OpenApiParameter("on", OpenApiTypes.DATE,
                                     description="日期 YYYY-MM-DD：该日的网格边界和职责人员（默认今天）")],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
        summary="网格（GeoJSON）", operation_id="grids_geojson",
    )
    def get(self, request):
        query = LevelQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        level = query.validated_data.get("level")
        # "As of" a day: that day's boundaries, people on duty and the caller's scope.
        day = parse_day(request.query_params.get("on"))
        body = feature_collection(
            grids_for_user(request.user, level=level, on=day), geom="geom", properties=GRID_PROPERTIES
        )
        return HttpResponse(body, content_type="application/geo+json")


# What DRF puts in the Allow header of the lookup's answers (GET, and the HEAD and OPTIONS it adds).
LOOKUP_ALLOW = "GET, HEAD, OPTIONS"


def parse_point(params) -> tuple[float, float, str]:
    """lon/lat in decimal degrees and the CRS they are in; ValidationError otherwise."""
    errors = {}
    values = {}
    for name, limit in (("lon", 180.0), ("lat", 90.0)):
        text = params.get(name)
        try:
            value = float(text)
        except (TypeError, ValueError):
            errors[name] = f"需要十进制度数，收到 {text!r}"
            continue
        if not math.isfinite(value) or abs(value) > limit:
            errors[name] = f"{value} 超出范围 ±{limit:g}"
        values[name] = value
    crs = params.get("crs", DEFAULT_CRS).lower()
    if crs not in CRS_NAMES:
        errors["crs"] = f"坐标系 {crs!r} 无效（可用 {CRS_NAMES_TEXT}）"
    if errors:
        raise ValidationError({"detail": "坐标格式错误：需要 lon、lat（十进制度）", **errors})
    return values["lon"], values["lat"], crs


def parse_day(text: str | None) -> dt.date | None:
    """The lookup's `on`: a date YYYY-MM-DD, or None when not given; ValidationError otherwise."""
    if text is None:
        return None
    try:
        # fromisoformat alone also takes 20190811 and week dates: only YYYY-MM-DD is the contract.
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"detail": "日期格式错误：on 需要 YYYY-MM-DD", "on": f"无效日期 {text!r}"}) from None


class GridLookupView(APIView):
    """Which level-II cell contains a point, its level-I parent and the officers on duty.

    Kept lean on purpose (parsing by hand, answers kept in memory by grids.cell_index): it
    is the hottest endpoint.
    """

    content_negotiation_class = FirstRendererOnly
    renderer_classes = [JSONRenderer]

    def dispatch(self, request, *args, **kwargs):
        return self.answer_token_client(request) or super().dispatch(request, *args, **kwargs)

    def answer_token_client(self, request) -> HttpResponse | None:
        """The common call, answered without DRF's request wrapping (a fifth of the time of a
        request under load): a GET with a valid token for a WGS84 point inside a cell.
        Anything else (a session, another CRS, any error) goes through DRF below, which gives
        the same answer for this case too."""
        if request.method != "GET":
            return None
        user = token_user(request)
        if user is None:
            return None
        try:
            # The query string parsed as QueryDict would (the last of repeated names wins),
            # without building one: that costs more than the answer.
            query = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True,
                              max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
            query_params = dict(query)
            lon, lat, crs = parse_point(query_params)
        except (ValidationError, ValueError):
            return None
        if crs not in LONLAT_CRS or "on" in query_params:
            return None
        body = cell_answer_json_for(user, lon, lat)
        if body is None:
            return None
        request.user = user
        response = HttpResponse(body, content_type="application/json")
        response["Allow"] = LOOKUP_ALLOW
        return response

    @extend_schema(
        parameters=[LookupQuery],
        responses={200: LookupSerializer, 400: OpenApiResponse(description="坐标格式错误"),
                   404: OpenApiResponse(description="该点不在任何网格内，或 on 早于最早的网格划分")},
        summary="点所在网格",
    )
    def get(self, request):
        lon, lat, crs = parse_point(request.query_params)
        if crs in OBFUSCATED_CRS:
            try:
                lon, lat = (float(v[0]) for v in to_wgs84_arrays([lon], [lat], crs))
            except CoordinateError:
                raise ValidationError({"detail": f"坐标无法从 {crs} 换算为 WGS84", "crs": crs}) from None
        day = parse_day(request.query_params.get("on"))
        if day is None:
            body = cell_answer_json_for(request.user, lon, lat)
        else:
            body = cell_at_point_json_for(request.user, lon, lat, on=day)
            if body is None:
                first = first_generation_day()
                if first is None or day < first:
                    raise NotFound(f"{day:%Y-%m-%d} 早于最早的网格划分"
                                   + (f"（{first:%Y-%m-%d} 起）" if first else "") + "，该日没有网格")
        if body is None:
            raise NotFound(f"点 ({lon:.6f}, {lat:.6f}) 不在本区任何网格内"
                           + (f"（{day:%Y-%m-%d}）" if day else ""))
        return HttpResponse(body, content_type="application/json")


class GridDetailSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None)

    class Meta:
        model = Grid
        fields = ("code", "name", "level", "kind", "parent_code", "area_m2", "valid_from", "valid_to",
                  "updated_at")


class GridDetailView(APIView):
    @extend_schema(responses={200: GridDetailSerializer}, summary="网格详情")
    def get(self, request, code: str):
        grid = grids_for_user(request.user).select_related("parent").filter(code=code).first()
        if grid is None:
            raise NotFound("网格不存在或无权查看")
        return Response({**GridDetailSerializer(grid).data, "officers": grid.officers})


class AssignmentSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.full_name")
    phone = serializers.CharField(source="user.phone")
    role_display = serializers.CharField(source="get_role_display")
    active = serializers.BooleanField()

    class Meta:
        model = GridAssignment
        fields = ("id", "username", "name", "phone", "role", "role_display", "valid_from", "valid_to",
                  "active", "note")


class GridAssignmentsView(APIView):
    """Every duty on a grid (past, current, planned), within the caller's scope."""

    @extend_schema(responses={200: AssignmentSerializer(many=True)}, summary="网格职责（含历任与计划）")
    def get(self, request, code: str):
        assignments = assignments_of_grid(request.user, code)
        if assignments is None:
            raise NotFound("网格不存在或无权查看")
        today = timezone.localdate()
        assignments = assignments.annotate(active=ExpressionWrapper(active_on(today), BooleanField()))
        return Response({"code": code, "on": today, "assignments": AssignmentSerializer(assignments, many=True).data})
