"""The storm-event API (/api/flood/): events with their timeline, level, consultations,
orders, roll calls, dispatches, the depots' stock, and situation reports from phones. Thin
views over gridmap.flood.events' selectors and services."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.capabilities import COMMAND_FLOODS, SEE_DISTRICT, requires
from gridmap.core.api_fields import Text
from gridmap.geo.coords import CRS_NAMES, DEFAULT_CRS
from gridmap.geo.photos import MAX_PHOTOS, photo_response
from gridmap.geo.polygons import PolygonError, polygon_input

from ..events import selectors, services
from ..events.models import Event, SituationPhoto, SituationReport
from ..models import FloodZone

MAX_INT = 2_147_483_647
CLIENT_ID_HELP = "客户端生成的 UUID：同一编号重复提交只保存一次（返回 200 与原记录），内容不同则 409"
command = [requires(COMMAND_FLOODS)]
LEVEL_ERRORS = {key: "响应级别应为 4（Ⅳ级）、3（Ⅲ级）、2（Ⅱ级）或 1（Ⅰ级）"
                for key in ("invalid", "min_value", "max_value")}


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def event_or_404(request, pk: int) -> Event:
    event = selectors.event_for_user(request.user, pk)
    if event is None:
        raise NotFound("事件不存在")
    return event


def event_data(event: Event, *, with_timeline: bool = False) -> dict:
    data = {"id": event.pk, "name": event.name, "kind": event.kind, "kind_name": event.get_kind_display(),
            "level": event.level, "level_name": event.level_name, "started_at": event.started_at.isoformat(),
            "ended_at": event.ended_at.isoformat() if event.ended_at else None, "open": event.is_open,
            "summary": event.summary, "area": event.area.geojson if event.area else None}
    if with_timeline:
        data["timeline"] = [entry.as_json() for entry in selectors.timeline(event)]
    return data


class EventInput(serializers.Serializer):
    name = Text(max_length=100)
    area = serializers.JSONField(required=False, default=None, allow_null=True,
                                 help_text="事件范围：GeoJSON Polygon 或 MultiPolygon（可选；不填则全区）")
    zone = serializers.IntegerField(required=False, default=None, allow_null=True, min_value=1, max_value=MAX_INT,
                                    help_text="以防汛责任区为事件范围（可选，与 area 二选一）")
    crs = serializers.ChoiceField(choices=CRS_NAMES, default=DEFAULT_CRS, help_text="area 的坐标系")
    kind = serializers.ChoiceField(choices=Event.Kind.choices, error_messages={"invalid_choice": "事件类型无效"})
    level = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True, default=None,
                                     error_messages=LEVEL_ERRORS,
                                     help_text="响应级别：4=Ⅳ级（最低）… 1=Ⅰ级（最高）；不填为未启动响应")
    started_at = serializers.DateTimeField(required=False, default=None, allow_null=True)


def event_area(area, crs: str, zone: int | None):
    """The event's area from a drawn GeoJSON or a flood zone; None for the whole district."""
    if area is not None and zone is not None:
        raise ValidationError({"area": ["area 与 zone 只能提供一个"]})
    if zone is not None:
        found = FloodZone.objects.filter(pk=zone).values_list("geom", flat=True).first()
        if found is None:
            raise ValidationError({"zone": ["防汛责任区不存在"]})
        return found
    if area is None:
        return None
    try:
        return polygon_input(area, crs=crs)
    except PolygonError as exc:
        raise ValidationError({"area": [str(exc)]}) from None


class EventListView(APIView):
    permission_classes = command

    @extend_schema(summary="应急事件", responses={200: OpenApiTypes.OBJECT}, operation_id="flood_events_list")
    def get(self, request):
        return Response({"results": [event_data(e) for e in selectors.events_for_user(request.user)[:200]]})

    @extend_schema(summary="创建应急事件（可同时启动响应级别）", request=EventInput,
                   responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = validated(EventInput, request.data)
        event = services.event_open(actor=request.user, name=data["name"], kind=data["kind"],
                                    level=data["level"], started_at=data["started_at"],
                                    area=event_area(data["area"], data["crs"], data["zone"]))
        return Response(event_data(event, with_timeline=True), status=201)


class EventDetailView(APIView):
    permission_classes = command

    @extend_schema(summary="应急事件及其时间线（级别调整、会商、指令、点名、调度、险情报告）",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        return Response(event_data(event_or_404(request, pk), with_timeline=True))


class LevelInput(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=4, error_messages=LEVEL_ERRORS,
                                     help_text="响应级别：4=Ⅳ级（最低）… 1=Ⅰ级（最高）")
    reason = Text(max_length=500, required=False, allow_blank=True, default="")
    changed_at = serializers.DateTimeField(required=False, default=None, allow_null=True)


class EventLevelView(APIView):
    permission_classes = command

    @extend_schema(summary="调整响应级别", request=LevelInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        event = event_or_404(request, pk)
        data = validated(LevelInput, request.data)
        services.event_set_level(actor=request.user, event=event, level=data["level"], reason=data["reason"],
                                 at=data["changed_at"])
        return Response(event_data(event_or_404(request, pk), with_timeline=True))


class ConsultationInput(serializers.Serializer):
    topic = Text(max_length=200)
    attendees = Text(max_length=2000)
    decisions = Text(max_length=5000)
    held_at = serializers.DateTimeField(required=False, default=None, allow_null=True)


class ConsultationView(APIView):
    permission_classes = command

    @extend_schema(summary="记录会商（参会人员、会商决定）", request=ConsultationInput,
                   responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        event = event_or_404(request, pk)
        c = services.consultation_record(actor=request.user, event=event, **validated(ConsultationInput, request.data))
        return Response({"id": c.pk, "held_at": c.held_at.isoformat()}, status=201)


class OrderInput(serializers.Serializer):
    recipients = Text(max_length=300)
    content = Text(max_length=2000)
    issued_at = serializers.DateTimeField(required=False, default=None, allow_null=True)


class OrderView(APIView):
    permission_classes = command

    @extend_schema(summary="下达指令", request=OrderInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        event = event_or_404(request, pk)
        o = services.order_issue(actor=request.user, event=event, **validated(OrderInput, request.data))
        return Response({"id": o.pk, "issued_at": o.issued_at.isoformat()}, status=201)


class CloseInput(serializers.Serializer):
    summary = Text(max_length=5000)
    ended_at = serializers.DateTimeField(required=False, default=None, allow_null=True)


class EventCloseView(APIView):
    permission_classes = command

    @extend_schema(summary="结束事件（须填写总结）", request=CloseInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        event = event_or_404(request, pk)
        data = validated(CloseInput, request.data)
        services.event_close(actor=request.user, event=event, summary=data["summary"], at=data["ended_at"])
        return Response(event_data(event_or_404(request, pk), with_timeline=True))


# --- roll calls ------------------------------------------------------------------------------

def roll_call_data(roll_call) -> dict:
    answers = list(selectors.roll_call_answers(roll_call))
    return {"id": roll_call.pk, "event": roll_call.event_id, "started_at": roll_call.started_at.isoformat(),
            "rounds": roll_call.rounds, "total": len(answers),
            "answered": sum(1 for a in answers if a.answered),
            "unanswered": sum(1 for a in answers if not a.answered),
            "posts": [{"post": a.post_id, "name": a.post.name, "kind": a.post.kind,
                       "grid": a.post.grid.code if a.post.grid else None, "answered": a.answered,
                       "answered_at": a.answered_at.isoformat() if a.answered_at else None,
                       "answerer": a.answerer, "last_called_round": a.last_called_round} for a in answers]}


def roll_call_or_404(request, pk: int, rc: int):
    roll_call = selectors.roll_call_for_user(request.user, event_or_404(request, pk), rc)
    if roll_call is None:
        raise NotFound("点名不存在")
    return roll_call


class RollCallListView(APIView):
    permission_classes = command

    @extend_schema(summary="事件的点名", responses={200: OpenApiTypes.OBJECT}, operation_id="flood_roll_calls_list")
    def get(self, request, pk: int):
        event = event_or_404(request, pk)
        return Response({"results": [{"id": r.pk, "started_at": r.started_at.isoformat(), "rounds": r.rounds,
                                      "total": r.total, "answered": r.answered}
                                     for r in selectors.roll_calls_of(event)]})

    @extend_schema(summary="发起点名（全部一级网格和区级部门值守点位）", request=None,
                   responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        roll_call = services.roll_call_start(actor=request.user, event=event_or_404(request, pk))
        return Response(roll_call_data(roll_call), status=201)


class RollCallDetailView(APIView):
    permission_classes = command

    @extend_schema(summary="点名情况（未应答在前）", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int, rc: int):
        return Response(roll_call_data(roll_call_or_404(request, pk, rc)))


class AnswerInput(serializers.Serializer):
    post = serializers.IntegerField(min_value=1, max_value=MAX_INT, help_text="值守点位 id")
    answerer = Text(max_length=64, help_text="应答人")
    answered_at = serializers.DateTimeField(required=False, default=None, allow_null=True)


class RollCallAnswerView(APIView):
    permission_classes = command

    @extend_schema(summary="记录应答", request=AnswerInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int, rc: int):
        roll_call = roll_call_or_404(request, pk, rc)
        data = validated(AnswerInput, request.data)
        services.roll_call_answer(actor=request.user, roll_call=roll_call, post=data["post"],
                                  answerer=data["answerer"], at=data["answered_at"])
        return Response(roll_call_data(roll_call))


class RollCallRepeatView(APIView):
    permission_classes = command

    @extend_schema(summary="再次点名未应答的值守点位（新一轮）", request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int, rc: int):
        roll_call = roll_call_or_404(request, pk, rc)
        services.roll_call_repeat(actor=request.user, roll_call=roll_call)
        return Response(roll_call_data(roll_call))


# --- dispatch --------------------------------------------------------------------------------

class DispatchLineInput(serializers.Serializer):
    item_code = Text(max_length=7, help_text="物资编码（GB/T 38565）")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_INT)


class LonLat(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)


class DispatchInput(serializers.Serializer):
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None, help_text=CLIENT_ID_HELP)
    depot = serializers.IntegerField(min_value=1, max_value=MAX_INT, help_text="出发仓库 id")
    items = DispatchLineInput(many=True, required=False, default=list)
    teams = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_INT), required=False,
                                  default=list,
                                  max_length=100)
    to = LonLat(help_text="目的地")
    crs = serializers.ChoiceField(choices=CRS_NAMES, default=DEFAULT_CRS)
    note = Text(max_length=300, required=False, allow_blank=True, default="")


def dispatch_data(dispatch) -> dict:
    return {"id": dispatch.pk, "event": dispatch.event_id, "depot": dispatch.depot_id,
            "dispatched_at": dispatch.dispatched_at.isoformat(), "distance_m": round(dispatch.distance_m, 1),
            "to": {"lon": dispatch.destination.x, "lat": dispatch.destination.y},
            "items": [{"item_code": m.item.code, "name": m.item.name, "quantity": m.quantity,
                       "balance_after": m.balance_after} for m in dispatch.movements.select_related("item")],
            "teams": [{"id": d.team_id, "name": d.team.name, "distance_m": round(d.distance_m, 1),
                       "deployed": d.recalled_at is None}
                      for d in dispatch.deployments.select_related("team")],
            "client_id": str(dispatch.client_id) if dispatch.client_id else None}


class DispatchListView(APIView):
    permission_classes = command

    @extend_schema(summary="事件的调度", responses={200: OpenApiTypes.OBJECT}, operation_id="flood_dispatches_list")
    def get(self, request, pk: int):
        event = event_or_404(request, pk)
        return Response({"results": [dispatch_data(d) for d in event.dispatches.all()]})

    @extend_schema(summary="调度物资和队伍到地图上的目的地（一个事务；库存不足则整单拒绝）",
                   request=DispatchInput, responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        event = event_or_404(request, pk)
        data = validated(DispatchInput, request.data)
        dispatch, created = services.dispatch_sync(
            actor=request.user, event=event, depot=data["depot"], items=data["items"], teams=data["teams"],
            lon=data["to"]["lon"], lat=data["to"]["lat"], crs=data["crs"], note=data["note"],
            client_id=data["client_id"])
        return Response(dispatch_data(dispatch), status=201 if created else 200)


class RecallInput(serializers.Serializer):
    teams = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_INT), required=False,
                                  default=None,
                                  allow_null=True, help_text="只撤回这些队伍；不填撤回全部")


class DispatchRecallView(APIView):
    permission_classes = command

    @extend_schema(summary="撤回调度的队伍", request=RecallInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int, dispatch: int):
        event = event_or_404(request, pk)
        found = event.dispatches.filter(pk=dispatch).first()
        if found is None:
            raise NotFound("调度不存在")
        services.teams_recall(actor=request.user, dispatch=found, teams=validated(RecallInput, request.data)["teams"])
        return Response(dispatch_data(found))


class DepotListView(APIView):
    permission_classes = command

    @extend_schema(summary="防汛物资仓库及库存（GeoJSON）",
                   responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    def get(self, request):
        return HttpResponse(selectors.depots_with_stock_geojson(request.user), content_type="application/geo+json")


# --- situation reports -------------------------------------------------------------------------

class SituationReportInput(serializers.Serializer):
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None, help_text=CLIENT_ID_HELP)
    kind = serializers.ChoiceField(choices=SituationReport.Kind.choices,
                                   error_messages={"invalid_choice": "险情类型无效"})
    severity = serializers.ChoiceField(choices=SituationReport.Severity.choices, default="general",
                                       error_messages={"invalid_choice": "严重程度无效"})
    description = Text(max_length=2000)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    crs = serializers.ChoiceField(choices=CRS_NAMES, default=DEFAULT_CRS)
    reported_at = serializers.DateTimeField(required=False, default=None, allow_null=True,
                                            help_text="报告时间（手机离线时记录的时间）；默认为现在")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=MAX_PHOTOS)


def report_data(report: SituationReport) -> dict:
    return {"id": report.pk, "kind": report.kind, "kind_name": report.get_kind_display(),
            "severity": report.severity, "severity_name": report.get_severity_display(),
            "description": report.description, "cell": report.cell.code,
            "lon": report.position.x, "lat": report.position.y, "reported_at": report.reported_at.isoformat(),
            "event": report.event_id, "event_name": report.event.name if report.event else None,
            "photos": [f"/api/flood/situation-photos/{p.pk}/" for p in report.photos.all()],
            "client_id": str(report.client_id) if report.client_id else None}


def form_or_json(request) -> dict:
    data = request.data
    if not hasattr(data, "dict"):
        return data
    return {**data.dict(), "photos": request.FILES.getlist("photos")}


class SituationReportListView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="险情报告（本人范围；防汛指挥看全区）", responses={200: OpenApiTypes.OBJECT},
                   operation_id="flood_situation_reports_list")
    def get(self, request):
        reports = selectors.situation_reports_for_user(request.user).select_related("cell", "event")
        return Response({"results": [report_data(r) for r in reports.prefetch_related("photos")[:500]]})

    @extend_schema(summary="提交险情报告（网格员、网格长，限本人负责的网格；挂到范围内正在进行的事件）",
                   request=SituationReportInput,
                   responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request):
        data = validated(SituationReportInput, form_or_json(request))
        report, created = services.situation_report_sync(actor=request.user, **data)
        return Response(report_data(report), status=201 if created else 200)


class SituationReportDetailView(APIView):
    @extend_schema(summary="险情报告详情", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        report = selectors.situation_report_in_scope(request.user, pk)
        if report is None:
            raise NotFound("险情报告不存在或无权查看")
        return Response(report_data(report))


class SituationPhotoView(APIView):
    @extend_schema(summary="险情照片", responses={(200, "image/*"): bytes})
    def get(self, request, pk: int):
        photo = SituationPhoto.objects.filter(
            pk=pk, report__in=selectors.situation_reports_for_user(request.user)).first()
        if photo is None:
            raise NotFound("照片不存在或无权查看")
        return photo_response(photo.image, photo.content_type, keep_metadata=SEE_DISTRICT.allows(request.user))
