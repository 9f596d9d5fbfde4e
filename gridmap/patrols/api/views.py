
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.capabilities import SEE_DISTRICT
from gridmap.core.api_fields import Text
from gridmap.core.history import history_of
from gridmap.geo.coords import CRS_NAMES, DEFAULT_CRS
from gridmap.geo.photos import photo_response
from gridmap.patrols.selectors import patrol_in_scope, patrols_for_user, photo_in_scope
from gridmap.patrols.services import patrol_sync, track_points


@extend_schema_field({"type": "array", "items": {"type": "array", "items": {"type": "number"}},
                      "description": "轨迹 [[经度, 纬度], ...]，坐标系同 crs"})
class TrackField(serializers.Field):
    """A track as [[lon, lat], ...] (JSON text in a form, or a JSON array)."""

    def to_internal_value(self, data):
        try:
            return track_points(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["track"]) from exc

    def to_representation(self, value):
        return value


class PatrolInput(serializers.Serializer):
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None,
                                      help_text="手机生成的 UUID：同一编号重复提交只保存一次")
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    crs = serializers.ChoiceField(choices=CRS_NAMES, default=DEFAULT_CRS)
    patrolled_at = serializers.DateTimeField(required=False)
    track = TrackField(required=False, allow_null=True)
    visited = Text(max_length=300, required=False, allow_blank=True, default="")
    enterprise = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    notes = Text(max_length=4000, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


def patrol_data(patrol, *, detail: bool = False) -> dict:
    data = {
        "id": patrol.pk,
        "officer": {"username": patrol.officer.username, "name": patrol.officer.full_name},
        "cell": {"code": patrol.cell.code, "name": patrol.cell.name},
        "patrolled_at": patrol.patrolled_at.isoformat(),
        "position": [patrol.position.x, patrol.position.y],
        "track": list(patrol.track.coords) if patrol.track else None,
        "visited": patrol.visited,
        "enterprise": ({"id": patrol.enterprise_id, "name": patrol.enterprise.name,
                        "credit_code": patrol.enterprise.credit_code} if patrol.enterprise_id else None),
        "enterprise_distance_m": patrol.enterprise_distance_m,
        "far_from_enterprise": patrol.far_from_enterprise,
        "notes": patrol.notes,
        "client_id": str(patrol.client_id) if patrol.client_id else None,
    }
    if detail:
        data["photos"] = [{"id": p.pk, "url": reverse("patrol-photo", args=[p.pk]), "format": p.image_format,
                           "size_bytes": p.size_bytes, "width": p.width, "height": p.height}
                          for p in patrol.photos.all()]
        data["history"] = [{"when": e.when.isoformat(), "label": e.label, "model": e.model, "who": e.who,
                            "action": e.action, "changes": e.changes}
                           for e in history_of(patrol, references=True)]
    return data


class PatrolListView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="巡查记录（本人可见网格内，最近 100 条）", responses={200: dict},
                   operation_id="patrols_list")
    def get(self, request):
        queryset = patrols_for_user(request.user)
        if "cell" in request.query_params:
            queryset = queryset.filter(cell__code=request.query_params["cell"])
        return Response({"results": [patrol_data(p) for p in queryset[:100]]})

    @extend_schema(summary="记录巡查（位置须在本人当日负责的网格内；client_id 重复提交返回 200 与原记录）",
                   request=PatrolInput, responses={200: dict, 201: dict, 409: dict})
    def post(self, request):
        payload = PatrolInput(data={**request.data.dict(), "photos": request.FILES.getlist("photos")}
                              if hasattr(request.data, "dict") else request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["enterprise_id"] = data.pop("enterprise")
        patrol, created = patrol_sync(actor=request.user, **data)
        # A substitute's record of a past duty may lie outside today's scope: answer it all the same.
        shown = patrol_in_scope(request.user, patrol.pk) or patrol
        return Response(patrol_data(shown, detail=True), status=201 if created else 200)


class PatrolDetailView(APIView):
    @extend_schema(summary="巡查记录详情（含照片与变更历史）", responses={200: dict})
    def get(self, request, pk: int):
        patrol = patrol_in_scope(request.user, pk)
        if patrol is None:
            raise NotFound("巡查记录不存在或无权查看")
        return Response(patrol_data(patrol, detail=True))


class PatrolPhotoView(APIView):
    @extend_schema(summary="巡查照片", responses={(200, "image/*"): bytes})
    def get(self, request, pk: int):
        photo = photo_in_scope(request.user, pk)
        if photo is None:
            raise NotFound("照片不存在或无权查看")
        response = photo_response(photo.image, photo.content_type,
                                  keep_metadata=SEE_DISTRICT.allows(request.user))
        extension = photo.image.name.rsplit(".", 1)[-1]
        response["Content-Disposition"] = f'inline; filename="patrol-photo-{photo.pk}.{extension}"'
        return response
