"""The enterprises' register as JSON with its check items, and self-inspections (企业自查).

`GET /api/enterprises/` and `/api/enterprises/<id>/` answer every role within its scope (an
enterprise user: its own); the detail carries `check_items` (inspections.self_checks), which
is why these views live in inspections (above enterprises) rather than in enterprises."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.capabilities import ACT_FOR_ENTERPRISE
from gridmap.core.api_fields import Text
from gridmap.enterprises.api.data import enterprise_row, register_data
from gridmap.enterprises.selectors import enterprise_for_user, enterprises_for_user, risk_points_for_user
from gridmap.geo.photos import MAX_PHOTOS
from gridmap.inspections import selectors, services
from gridmap.inspections.self_checks import items_with_due

from .views import CLIENT_ID_HELP, form_or_json, validated

LIST_PAGE_SIZE = 500
ITEM_PHOTO_PREFIX = "photo_"


class EnterpriseListView(APIView):
    enterprise_door = True

    @extend_schema(summary="企业名录（本人范围；企业用户为本企业）",
                   description="筛选同企业名录页面：q、cell、grid、risk_level、industry；分页 page（每页 500）",
                   responses={200: OpenApiTypes.OBJECT}, operation_id="enterprises_list")
    def get(self, request):
        try:
            page = max(int(request.query_params.get("page", 1)), 1)
        except ValueError as exc:
            raise ValidationError({"page": "页码须为正整数"}) from exc
        rows = list(enterprises_for_user(request.user, filters=request.query_params)
                    .order_by("name", "id")[(page - 1) * LIST_PAGE_SIZE:page * LIST_PAGE_SIZE + 1])
        next_url = None
        if len(rows) > LIST_PAGE_SIZE:
            rows = rows[:LIST_PAGE_SIZE]
            query = request.query_params.copy()
            query["page"] = str(page + 1)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"next": next_url, "results": [enterprise_row(e) for e in rows]})


class EnterpriseDetailView(APIView):
    enterprise_door = True

    @extend_schema(summary="一企一册（企业信息、风险点、管控层级、责任人、措施）及自查项目 check_items",
                   responses={200: OpenApiTypes.OBJECT}, operation_id="enterprises_retrieve")
    def get(self, request, pk: int):
        enterprise = enterprise_for_user(request.user, pk)
        if enterprise is None:
            raise NotFound("企业不存在或无权查看")
        points = list(risk_points_for_user(request.user, enterprise=enterprise))
        items = [{"code": i["code"], "title": i["title"], "frequency": i["frequency"], "due": i["due"].isoformat(),
                  "last_checked": i["last_checked"].isoformat() if i["last_checked"] else None,
                  "major_criterion": i["major_criterion"]}
                 for i in items_with_due(enterprise)]
        return Response({**register_data(enterprise, points), "check_items": items})


class SelfInspectionItem(serializers.Serializer):
    code = Text(max_length=32)
    result = serializers.ChoiceField(choices=["ok", "hazard"])
    note = Text(max_length=1000, required=False, allow_blank=True, default="")


class SelfInspectionInput(serializers.Serializer):
    enterprise = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="企业编号；企业用户可不填（为本企业）")
    checked_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                           help_text="自查时间，不得晚于现在 10 分钟；默认为现在")
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None, help_text=CLIENT_ID_HELP)
    items = SelfInspectionItem(many=True, allow_empty=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=MAX_PHOTOS,
                                   help_text="照片（可选，随本次每项隐患登记；单项照片用 photo_<项目编号>）")


def self_inspection_data(record) -> dict:
    return {"id": record.pk, "enterprise": {"id": record.enterprise_id, "name": record.enterprise.name},
            "checked_at": record.checked_at.isoformat(), "checked_on": record.checked_on.isoformat(),
            "client_id": str(record.client_id) if record.client_id else None,
            "items": [{"code": i["code"], "title": i.get("title", ""), "result": i["result"], "note": i.get("note", ""),
                       "hazard": i.get("hazard")} for i in record.items],
            "hazards": [i["hazard"] for i in record.items if i.get("hazard")]}


def item_photos(request) -> dict[str, list]:
    """Each item's own photos, sent as files named photo_<code> (a multipart form)."""
    return {name.removeprefix(ITEM_PHOTO_PREFIX): request.FILES.getlist(name)
            for name in request.FILES if name.startswith(ITEM_PHOTO_PREFIX)}


class SelfInspectionListView(APIView):
    enterprise_door = True
    # JSON, or a form as the phone's outbox sends it (items as JSON text, photos as files).
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="企业自查记录（本人范围；enterprise=企业编号）", responses={200: OpenApiTypes.OBJECT},
                   operation_id="self_inspections_list")
    def get(self, request):
        enterprise = request.query_params.get("enterprise")
        if enterprise not in (None, "") and not enterprise.isdigit():
            raise ValidationError({"enterprise": "企业编号须为整数"})
        records = selectors.self_inspections_for_user(request.user, enterprise=int(enterprise) if enterprise else None)
        return Response({"results": [self_inspection_data(r) for r in records[:500]]})

    @extend_schema(summary="记录企业自查（逐项 ok / hazard；发现隐患即登记为来源“企业自查”的隐患；"
                           "client_id 重复提交返回 200 与原记录）",
                   description="JSON：items=[{code, result, note}]。表单（multipart）：items 为 JSON 文本；"
                               "某一隐患项的照片以文件字段 photo_<code> 上传（可多张），只登记到该项的隐患。",
                   request=SelfInspectionInput,
                   responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
                   operation_id="self_inspections_create")
    def post(self, request):
        ACT_FOR_ENTERPRISE.require(request.user)
        payload = validated(SelfInspectionInput, data=form_or_json(request))
        enterprise = None
        if payload["enterprise"] is not None:
            enterprise = enterprise_for_user(request.user, payload["enterprise"])
            if enterprise is None:
                raise NotFound("企业不存在或无权查看")
        record, created = services.self_inspection_sync(
            actor=request.user, enterprise=enterprise, checked_at=payload["checked_at"],
            items=[dict(i) for i in payload["items"]], client_id=payload["client_id"], photos=payload["photos"],
            item_photos=item_photos(request))
        return Response(self_inspection_data(record), status=201 if created else 200)


