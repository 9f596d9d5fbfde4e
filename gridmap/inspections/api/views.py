"""The inspections API: thin views over selectors (reads, scoped) and services (writes)."""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.capabilities import (
    ASSIGN_INSPECTIONS,
    ISSUE_DOCUMENTS,
    SEE_DISTRICT,
    requires,
)
from gridmap.accounts.models import User
from gridmap.core.api_fields import Text
from gridmap.geo.coords import CRS_NAMES, DEFAULT_CRS
from gridmap.geo.photos import MAX_PHOTOS, photo_response
from gridmap.geo.polygons import PolygonError, polygon_input
from gridmap.inspections import selectors, services
from gridmap.inspections.models import (
    EnforcementDocument,
    Hazard,
    HazardSource,
    Inspection,
    InspectionTask,
    LegalReview,
    Report,
)

MAX_AREA_RESULTS = 5000


def field_rule(rule, field: str):
    """Run a service's or selector's rule for one field inside a serializer: its refusal
    becomes that field's error, with the same message the page shows."""
    try:
        return rule()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict.get(field, exc.messages)
                                          if hasattr(exc, "error_dict") else exc.messages) from None


def in_scope(selector, request, pk: int, what: str):
    """The record if the caller's scope holds it; otherwise a 404 that does not say which."""
    record = selector(request.user, pk)
    if record is None:
        raise NotFound(f"{what}不存在或无权查看")
    return record


def validated(serializer_class, **kwargs) -> dict:
    """The input as the serializer validated it; a 400 naming each bad field otherwise."""
    serializer = serializer_class(**kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def form_or_json(request) -> dict:
    """The request's data as one dict: JSON as sent; form data with its photos as a list and
    its nested fields (items, hazard) given as JSON text."""
    data = request.data
    if not hasattr(data, "dict"):
        return data
    data = {**data.dict(), "photos": request.FILES.getlist("photos")}
    if isinstance(data.get("inspectors"), str):
        # Several usernames in one form field, separated by commas.
        data["inspectors"] = [n for n in data["inspectors"].replace("，", ",").split(",") if n.strip()]
    for name in ("items", "hazard"):
        if isinstance(data.get(name), str):
            try:
                data[name] = json.loads(data[name])
            except ValueError:
                pass  # the serializer names the field
    return data


class RequiredBoolean(serializers.BooleanField):
    """A yes/no the client must give: DRF reads a boolean missing from form data as false
    (an unticked HTML checkbox), which would record a decision nobody made."""

    default_empty_html = serializers.empty


@extend_schema_field({"type": "object", "description": "GeoJSON Polygon 或 MultiPolygon（WGS84）",
                      "properties": {"type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
                                     "coordinates": {"type": "array"}}, "required": ["type", "coordinates"]})
class PolygonField(serializers.Field):
    """A GeoJSON Polygon or MultiPolygon in WGS84 (object or JSON text)."""

    def to_internal_value(self, data):
        try:
            return polygon_input(data)
        except PolygonError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value):
        return json.loads(value.geojson)


class AreaQuery(serializers.Serializer):
    polygon = PolygonField(required=False, allow_null=True, help_text="GeoJSON Polygon（WGS84）")
    cells = serializers.ListField(child=Text(max_length=32), required=False, max_length=500)
    risk_level = serializers.ChoiceField(choices=["major", "large", "general", "low", "none"], required=False)
    supervision_class = serializers.ChoiceField(choices=["key", "general"], required=False)
    industry = serializers.RegexField(r"^\d{2,4}$", required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict) and "industry" in data and not isinstance(data["industry"], str):
            raise serializers.ValidationError({"industry": "应为字符串"})
        return super().to_internal_value(data)
    not_inspected_since = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("polygon") is None and not attrs.get("cells"):
            raise serializers.ValidationError("请绘制多边形或选择网格")
        return attrs


class AreaAssign(AreaQuery):
    due_date = serializers.DateField()
    assignee = Text(max_length=150, required=False, allow_blank=True,
                    help_text="承办人用户名；留空则分给各企业所在网格的在岗网格员（均匀分配）")
    note = Text(max_length=200, required=False, allow_blank=True, default="")
    enterprises = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_null=True, default=None,
        max_length=MAX_AREA_RESULTS, help_text="勾选的企业编号（须在区域内）；不给则为区域内全部企业")
    preview = serializers.BooleanField(required=False, default=False,
                                       help_text="为真时只返回将要新建的任务，不写入")


def _area(request, data):
    filters = {k: data.get(k) for k in ("risk_level", "supervision_class", "industry")}
    return selectors.enterprises_in_area(request.user, polygon=data.get("polygon"), cells=data.get("cells"),
                                         filters=filters, not_inspected_since=data.get("not_inspected_since"))


def _enterprise_row(e) -> dict:
    return {"id": e.pk, "name": e.name, "credit_code": e.credit_code, "cell_code": e.cell_code,
            "cell_name": e.cell_name, "risk_level": e.risk_level, "risk_level_name": e.risk_level_name,
            "colour": selectors.colour(e.risk_level), "supervision_class": e.supervision_class,
            "industry_code": e.industry_code, "industry_name": e.industry_name,
            "last_inspected": e.last_inspected.isoformat() if e.last_inspected else None,
            "open_task_due": e.open_task_due.isoformat() if e.open_task_due else None,
            "lon": e.location.x, "lat": e.location.y}


class AreaEnterprisesView(APIView):
    # JSON only: a form cannot carry a polygon, and would read "cells=A" as a list.
    parser_classes = [JSONParser]

    @extend_schema(summary="区域内企业（绘制多边形或选择网格，含筛选；仅限本人范围）", request=AreaQuery,
                   responses={200: OpenApiTypes.OBJECT}, operation_id="inspections_area_enterprises")
    def post(self, request):
        query = validated(AreaQuery, data=request.data)
        rows = list(_area(request, query)[:MAX_AREA_RESULTS + 1])
        return Response({"count": min(len(rows), MAX_AREA_RESULTS), "truncated": len(rows) > MAX_AREA_RESULTS,
                         "enterprises": [_enterprise_row(e) for e in rows[:MAX_AREA_RESULTS]],
                         "loads": selectors.officer_loads(request.user, cells=sorted({e.cell_code for e in rows}))
                         if ASSIGN_INSPECTIONS.allows(request.user) else []})


class AreaAssignView(APIView):
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated, requires(ASSIGN_INSPECTIONS)]

    @extend_schema(summary="按区域批量分配检查任务（一次事务；不重复分配）", request=AreaAssign,
                   responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
                   operation_id="inspections_area_assign")
    def post(self, request):
        data = validated(AreaAssign, data=request.data)
        assignee = None
        if data.get("assignee"):
            assignee = User.objects.filter(username=data["assignee"]).first()
            if assignee is None:
                raise ValidationError({"assignee": "没有该用户"})
        ids = list(_area(request, data).values_list("pk", flat=True)[:MAX_AREA_RESULTS + 1])
        if not ids:
            raise ValidationError({"enterprises": "所选区域内没有符合条件的企业"})
        if data.get("enterprises") is not None:
            ticked = set(data["enterprises"])
            outside = ticked - set(ids)
            if outside:
                raise ValidationError({"enterprises": f"{len(outside)} 家勾选的企业不在所选区域或筛选条件内"})
            ids = sorted(ticked)
        result = services.tasks_assign(actor=request.user, enterprise_ids=ids, due_date=data["due_date"],
                                       assignee=assignee, note=data.get("note", ""), preview=data["preview"])
        return Response({"created": len(result.created), "already_open": len(result.already_open),
                         "no_officer": len(result.no_officer), "summary": result.summary(),
                         "selected": len(ids), "preview": data["preview"],
                         "batch": result.batch.pk if result.batch else None,
                         "per_assignee": [{"username": person.username, "name": person.full_name or person.username,
                                           "count": count} for person, count in result.per_assignee()],
                         "tasks": [t.pk for t in result.created if t.pk]},
                        status=200 if data["preview"] else 201)


def task_data(task) -> dict:
    return {"id": task.pk, "enterprise": {"id": task.enterprise_id, "name": task.enterprise.name},
            "cell": task.cell.code, "assignee": task.assignee.username, "due_date": task.due_date.isoformat(),
            "period": task.period, "status": task.status, "status_display": task.get_status_display(),
            "overdue": task.is_overdue, "reason": task.reason, "cannot_reason": task.cannot_reason}


class TaskListView(APIView):
    @extend_schema(summary="检查任务（本人范围；mine=1 仅本人承办）", responses={200: OpenApiTypes.OBJECT},
                   operation_id="inspections_tasks_list")
    def get(self, request):
        tasks = selectors.tasks_for_user(request.user, mine=request.query_params.get("mine") == "1",
                                         open_only=request.query_params.get("open") == "1")
        return Response({"results": [task_data(t) for t in tasks[:500]]})


class TaskDetailView(APIView):
    @extend_schema(summary="检查任务详情，及其检查记录", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        task = in_scope(selectors.task_in_scope, request, pk, "任务")
        records = task.inspections.select_related("enterprise").prefetch_related("hazards", "photos")
        return Response({**task_data(task), "inspections": [inspection_data(i) for i in records]})


class TaskAction(serializers.Serializer):
    reason = Text(max_length=300, required=False, allow_blank=True, default="")
    cannot_reason = serializers.ChoiceField(choices=InspectionTask.CannotReason.values, required=False,
                                            allow_blank=True, default="")


class TaskActionView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(summary="任务流转：accept / start / decline / cannot_inspect", request=TaskAction,
                   responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int, action: str):
        task = selectors.task_in_scope(request.user, pk)
        if task is None or action not in services.TASK_MOVES:
            raise NotFound("任务不存在或无权查看")
        payload = validated(TaskAction, data=request.data)
        task = services.task_transition(actor=request.user, task=task, action=action, **payload)
        return Response(task_data(selectors.task_in_scope(request.user, task.pk)))


class ChecklistItem(serializers.Serializer):
    # The result is checked by the service, with the message the page gives.
    code = Text(max_length=32)
    result = Text(max_length=16)
    note = Text(max_length=300, required=False, allow_blank=True, default="")


class HazardInput(serializers.Serializer):
    description = Text(max_length=2000, allow_blank=True)
    level = Text(max_length=16, required=False, default=Hazard.Level.GENERAL)
    criterion_code = Text(max_length=32, required=False, allow_blank=True, default="")
    measures = Text(max_length=2000, required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


CLIENT_ID_HELP = "手机生成的 UUID：同一编号重复提交只保存一次（返回 200 与原记录），内容不同则 409"


class SyncedInput(serializers.Serializer):
    """What every record a phone makes carries: its client_id and its own time."""

    client_id = serializers.UUIDField(required=False, allow_null=True, default=None, help_text=CLIENT_ID_HELP)
    inspected_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                             help_text="检查时间（按上海时间判定所属日期）；默认为现在")
    inspected_on = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="检查日期（未给 inspected_at 时）")
    findings = Text(max_length=4000, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=MAX_PHOTOS)
    inspectors = serializers.ListField(
        child=Text(max_length=150), required=False, default=list, max_length=20,
        help_text="监督检查、整改复查的执法人员用户名（至少 2 名，检查当日持有效执法证）；巡查不填")

    def validate_inspectors(self, value):
        return field_rule(lambda: services.inspectors_named(value), "inspectors") if value else []


class InspectionInput(SyncedInput):
    items = ChecklistItem(many=True, required=False, default=list)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    hazard = HazardInput(required=False, allow_null=True,
                         help_text="检查中发现的隐患（可选，与检查记录同一事务）；巡查发现的为隐患线索，待区应急管理局确认")
    kind = serializers.ChoiceField(choices=[Inspection.Kind.PATROL, Inspection.Kind.ROUTINE], required=False,
                                   allow_null=True, default=None,
                                   help_text="patrol 巡查（网格员）或 routine 监督检查（执法人员）；默认按任务类型")

    def validate(self, attrs):
        if attrs.get("hazard"):
            attrs["hazard"] = services.HazardFound(**attrs["hazard"])
        return attrs


class ReinspectionInput(SyncedInput):
    passed = RequiredBoolean()


def inspection_data(i) -> dict:
    return {"id": i.pk, "task": i.task_id, "enterprise": {"id": i.enterprise_id, "name": i.enterprise.name},
            "kind": i.kind, "inspected_on": i.inspected_on.isoformat(), "items": i.checklist,
            "findings": i.findings, "hazards": sorted(h.pk for h in i.hazards.all()),
            "photos": [reverse("inspection-photo", args=[p.pk]) for p in i.photos.all()],
            "client_id": str(i.client_id) if i.client_id else None}


class TaskInspectionsView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="记录任务的检查（检查项、情况、照片，及发现的隐患；完成任务）",
                   description=CLIENT_ID_HELP, request=InspectionInput,
                   responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
                   operation_id="inspections_task_inspections_create")
    def post(self, request, pk: int):
        task = in_scope(selectors.task_in_scope, request, pk, "任务")
        payload = validated(InspectionInput, data=form_or_json(request))
        inspection, created = services.inspection_sync(actor=request.user, task=task, **payload)
        return Response(inspection_data(inspection), status=201 if created else 200)


def hazard_data(h) -> dict:
    return {"id": h.pk, "enterprise": {"id": h.enterprise_id, "name": h.enterprise.name}, "cell": h.cell.code,
            "level": h.level, "criterion_code": h.criterion_code, "description": h.description,
            "status": h.status, "status_display": h.get_status_display(), "found_on": h.found_on.isoformat(),
            "source": h.source, "source_display": h.get_source_display(),
            "rectified_on": h.rectified_on.isoformat() if h.rectified_on else None,
            "dismissal_reason": h.dismissal_reason,
            "deadline": h.current_deadline.isoformat(), "overdue": h.is_overdue,
            "photos": [reverse("inspection-photo", args=[p.pk]) for p in h.photos.all()]}


HAZARD_PAGE_SIZE, HAZARD_PAGE_MAX = 100, 500


class HazardListView(APIView):
    enterprise_door = True

    @extend_schema(summary="隐患（本人范围，逾期在前、按期限排序；分页：next 为下一页地址）",
                   description="筛选：open=1 仅未销号；source=inspection|patrol|report|self_inspection；"
                               "enterprise=企业编号；status、level；page、page_size（最多 500）",
                   responses={200: OpenApiTypes.OBJECT}, operation_id="inspections_hazards_list")
    def get(self, request):
        params = request.query_params
        try:
            page = max(int(params.get("page", 1)), 1)
            size = min(max(int(params.get("page_size", HAZARD_PAGE_SIZE)), 1), HAZARD_PAGE_MAX)
        except ValueError as exc:
            raise ValidationError({"page": "页码和每页条数须为正整数"}) from exc
        source = params.get("source", "")
        if source and source not in HazardSource.values:
            raise ValidationError({"source": f"来源 {source} 无效（inspection、patrol、report、self_inspection）"})
        hazards = selectors.hazard_page(request.user, filters=params, open_only=params.get("open") == "1",
                                        offset=(page - 1) * size, limit=size + 1)
        rows = list(hazards.prefetch_related("photos"))
        next_url = None
        if len(rows) > size:
            rows = rows[:size]
            query = params.copy()
            query["page"] = str(page + 1)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"next": next_url, "results": [hazard_data(h) for h in rows]})


class HazardDetailView(APIView):
    enterprise_door = True

    @extend_schema(summary="隐患详情", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        return Response(hazard_data(in_scope(selectors.hazard_in_scope, request, pk, "隐患")))


class HazardReinspectionsView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="隐患整改复查（合格则待销号，不合格则继续整改）", description=CLIENT_ID_HELP,
                   request=ReinspectionInput,
                   responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
                   operation_id="inspections_hazard_reinspections_create")
    def post(self, request, pk: int):
        hazard = in_scope(selectors.hazard_in_scope, request, pk, "隐患")
        # Asked before the input is read: flood command and others act on no hazard.
        services.require_hazard_actor(request.user, hazard)
        payload = validated(ReinspectionInput, data=form_or_json(request))
        inspection, created = services.reinspection_sync(actor=request.user, hazard=hazard, **payload)
        return Response({**hazard_data(selectors.hazard_in_scope(request.user, hazard.pk)),
                         "reinspection": inspection_data(inspection)}, status=201 if created else 200)


class HazardConfirmInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=Hazard.Level.values, required=False)
    criterion_code = Text(max_length=32, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    measures = Text(max_length=2000, required=False, allow_blank=True, default="")


class HazardDismissInput(serializers.Serializer):
    reason = Text(max_length=300)


class HazardRectifyInput(serializers.Serializer):
    measures = Text(max_length=2000, required=False, allow_blank=True, default="")


class HazardCloseInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


HAZARD_ACTIONS = {
    "confirm": (HazardConfirmInput, services.hazard_confirm),
    "dismiss": (HazardDismissInput, services.hazard_dismiss),
    "rectify": (HazardRectifyInput, services.hazard_start_rectification),
    "close": (HazardCloseInput, services.hazard_close),
}


class HazardActionView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(summary="隐患处理：confirm 确认线索 / dismiss 线索不成立（理由）/ rectify 开始整改 / close 销号",
                   request=HazardConfirmInput, responses={200: OpenApiTypes.OBJECT},
                   operation_id="inspections_hazard_action")
    def post(self, request, pk: int, action: str):
        hazard = in_scope(selectors.hazard_in_scope, request, pk, "隐患")
        if action not in HAZARD_ACTIONS:
            raise NotFound("未知操作")
        services.require_hazard_action(request.user, hazard, action)
        serializer, service = HAZARD_ACTIONS[action]
        service(actor=request.user, hazard=hazard, **validated(serializer, data=request.data))
        return Response(hazard_data(selectors.hazard_in_scope(request.user, pk)))


class ReportInput(serializers.Serializer):
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None, help_text=CLIENT_ID_HELP)
    description = Text(max_length=2000)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    crs = serializers.ChoiceField(choices=CRS_NAMES, default=DEFAULT_CRS)
    source = serializers.ChoiceField(choices=Report.Source.values, default=Report.Source.PUBLIC)
    reporter_name = Text(max_length=64, required=False, allow_blank=True, default="")
    reporter_phone = Text(max_length=32, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=MAX_PHOTOS)


class ReportListView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="举报（本人范围）", responses={200: OpenApiTypes.OBJECT},
                   operation_id="inspections_reports_list")
    def get(self, request):
        return Response({"results": [
            {"id": r.pk, "cell": r.cell.code, "status": r.status, "received_on": r.received_on.isoformat(),
             "deadline": r.deadline.isoformat(), "overdue": r.overdue, "description": r.description}
            for r in selectors.reports_for_user(request.user)[:500]]})

    @extend_schema(summary="提交举报（位置、照片；按位置转交所在网格网格员；client_id 重复提交返回 200 与原记录）",
                   request=ReportInput,
                   responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def post(self, request):
        payload = validated(ReportInput, data=form_or_json(request))
        report, created = services.report_sync(actor=request.user, **payload)
        # The submitter learns that the report was routed, not whose cell it went to.
        return Response({"id": report.pk, "status": report.status, "routed": report.assignee_id is not None,
                         "deadline": report.deadline.isoformat(),
                         "client_id": str(report.client_id) if report.client_id else None},
                        status=201 if created else 200)


class ReportDetailView(APIView):
    @extend_schema(summary="举报详情", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        report = selectors.report_in_scope(request.user, pk)
        if report is None:
            raise NotFound("举报不存在或无权查看")
        return Response({"id": report.pk, "cell": report.cell.code, "status": report.status,
                         "description": report.description, "result": report.result,
                         "assignee": report.assignee.username if report.assignee else None,
                         "position": [report.position.x, report.position.y],
                         "photos": [reverse("inspection-photo", args=[p.pk]) for p in report.photos.all()]})


class PhotoView(APIView):
    enterprise_door = True

    @extend_schema(summary="检查、隐患、举报照片", responses={(200, "image/*"): bytes})
    def get(self, request, pk: int):
        photo = selectors.photo_in_scope(request.user, pk)
        if photo is None:
            raise NotFound("照片不存在或无权查看")
        return photo_response(photo.image, photo.content_type, keep_metadata=SEE_DISTRICT.allows(request.user))


# --- enforcement (执法文书, 法制审核, 公开曝光, 约谈) --------------------------------------------

MAX_INT = 2_147_483_647


class NamedRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LegalReviewOut(serializers.Serializer):
    id = serializers.IntegerField()
    reviewer = serializers.CharField(source="reviewer.username")
    reviewed_on = serializers.DateField()
    approved = serializers.BooleanField()
    opinion = serializers.CharField()
    subject_passed = serializers.BooleanField(allow_null=True)
    subject_note = serializers.CharField()
    authority_passed = serializers.BooleanField(allow_null=True)
    authority_note = serializers.CharField()
    basis_passed = serializers.BooleanField(allow_null=True)
    basis_note = serializers.CharField()
    procedure_passed = serializers.BooleanField(allow_null=True)
    procedure_note = serializers.CharField()


class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EnforcementDocument.Kind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=EnforcementDocument.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    enterprise = NamedRef()
    cell = serializers.CharField(source="cell.code")
    issued_on = serializers.DateField(allow_null=True)
    fine_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    production_stop = serializers.BooleanField()
    equipment_out_of_use = serializers.IntegerField()
    equipment_sealed = serializers.IntegerField()
    is_major = serializers.BooleanField()
    inspection = serializers.IntegerField(source="inspection_id", allow_null=True)
    hazard = serializers.IntegerField(source="hazard_id", allow_null=True)
    signers = serializers.SerializerMethodField()
    legal_review = LegalReviewOut(allow_null=True)

    def get_signers(self, document) -> list[str]:
        return [s.username for s in document.signers.all()]


class DocumentListOut(serializers.Serializer):
    count = serializers.IntegerField()
    results = DocumentOut(many=True)


class DocumentQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EnforcementDocument.Kind.values, required=False)
    year = serializers.IntegerField(min_value=1900, max_value=2999, required=False)
    status = serializers.ChoiceField(choices=EnforcementDocument.Status.values, required=False)

    def to_internal_value(self, data):
        # DRF reads "?kind=" as no filter; the schema says a given filter has a value.
        empty = {name: "不能为空" for name in self.fields if name in data and data.get(name) == ""}
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


class EnterpriseRefInput(serializers.Serializer):
    """Names an enterprise by its number, found in the caller's scope by the selector the
    pages use too (context: the request)."""

    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_INT)

    def validate_enterprise(self, value):
        user = self.context["request"].user
        return field_rule(lambda: selectors.enterprise_named(user, value), "enterprise")


class DocumentInput(EnterpriseRefInput):
    kind = serializers.ChoiceField(choices=EnforcementDocument.Kind.values)
    number = Text(max_length=64)
    signers = serializers.ListField(child=Text(max_length=150), max_length=20,
                                    help_text="执法人员用户名（至少 2 名，须持有效执法证）")
    inspection = serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False, allow_null=True)
    hazard = serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False, allow_null=True)
    fine_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    production_stop = serializers.BooleanField(default=False)
    equipment_sealed = serializers.IntegerField(min_value=0, max_value=MAX_INT, default=0,
                                                help_text="查封、扣押的设施设备器材（台套），仅查封扣押决定书"
                                                          "（安全生产法第六十五条第一款第（四）项）")
    equipment_out_of_use = serializers.IntegerField(
        min_value=0, max_value=MAX_INT, default=0,
        help_text="责令暂时停止使用的设备（台套），仅现场处理措施决定书（安全生产法第六十五条第一款第（三）项）")
    content = Text(max_length=4000, required=False, allow_blank=True, default="")
    issued_on = serializers.DateField(required=False, allow_null=True,
                                      help_text="填写则同时送达（一次事务：任何一项不合规则不保存）")

    def validate_signers(self, value):
        return field_rule(lambda: services.signers_named(value), "signers")

    def validate(self, attrs):
        for name, model in (("inspection", Inspection), ("hazard", Hazard)):
            ref = attrs.get(name)
            attrs[name] = None if ref is None else model.objects.filter(pk=ref).first()
            if ref is not None and attrs[name] is None:
                raise ValidationError({name: "不是该企业的记录"})
        return attrs


class IssueInput(serializers.Serializer):
    issued_on = serializers.DateField()


class LegalReviewInput(serializers.Serializer):
    """The four checks of a legal review (执法主体、执法权限、内容与依据、执法程序), each
    `<check>_passed` (required) with `<check>_note` (required when failed)."""

    reviewed_on = serializers.DateField()
    approved = RequiredBoolean()
    opinion = Text(max_length=2000)
    subject_passed = RequiredBoolean(help_text="执法主体是否合法")
    subject_note = Text(max_length=300, required=False, allow_blank=True, default="")
    authority_passed = RequiredBoolean(help_text="是否超越执法权限")
    authority_note = Text(max_length=300, required=False, allow_blank=True, default="")
    basis_passed = RequiredBoolean(help_text="内容是否合法、适用依据是否准确")
    basis_note = Text(max_length=300, required=False, allow_blank=True, default="")
    procedure_passed = RequiredBoolean(help_text="执法程序是否合法")
    procedure_note = Text(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        return review_checks(attrs)


def review_checks(data: dict) -> dict:
    """The flat `<check>_passed` / `<check>_note` fields as `services.legal_review_record` takes them."""
    data = dict(data)
    data["checks"] = {name: services.ReviewCheck(passed=data.pop(f"{name}_passed"), note=data.pop(f"{name}_note", ""))
                      for name, _label in LegalReview.CHECKS}
    return data


class ExposureInput(EnterpriseRefInput):
    exposed_on = serializers.DateField()
    medium = Text(max_length=100)
    note = Text(max_length=300, required=False, allow_blank=True, default="")


class SummonsInput(EnterpriseRefInput):
    held_on = serializers.DateField()
    people = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    note = Text(max_length=300, required=False, allow_blank=True, default="")


class EnforcementRecordOut(serializers.Serializer):
    """What an exposure and a summons share (models.EnforcementRecord)."""

    id = serializers.IntegerField()
    enterprise = NamedRef()
    cell = serializers.CharField(source="cell.code")
    note = serializers.CharField()


class ExposureOut(EnforcementRecordOut):
    exposed_on = serializers.DateField()
    medium = serializers.CharField()


class SummonsOut(EnforcementRecordOut):
    held_on = serializers.DateField()
    people = serializers.IntegerField()


class ExposureListOut(serializers.Serializer):
    results = ExposureOut(many=True)


class SummonsListOut(serializers.Serializer):
    results = SummonsOut(many=True)


def _document(request, pk: int) -> EnforcementDocument:
    return in_scope(selectors.document_in_scope, request, pk, "文书")


def _document_out(request, pk: int) -> dict:
    return DocumentOut(selectors.document_in_scope(request.user, pk)).data


class DocumentListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="执法文书（本人范围；按种类、年度、状态筛选）", parameters=[DocumentQuery],
                   responses={200: DocumentListOut}, operation_id="inspections_documents_list")
    def get(self, request):
        query = validated(DocumentQuery, data=request.query_params)
        documents = selectors.documents_filtered(request.user, **query)
        rows = list(documents[:500])
        return Response(DocumentListOut({"count": documents.count(), "results": rows}).data)

    @extend_schema(summary="制作执法文书（填写 issued_on 则同时送达；重大决定须先经法制审核）",
                   request=DocumentInput, responses={201: DocumentOut}, operation_id="inspections_documents_create")
    def post(self, request):
        # Asked before validation, so a refused caller does not learn through its messages
        # which enterprises or users exist.
        ISSUE_DOCUMENTS.require(request.user)
        payload = validated(DocumentInput, data=request.data, context={"request": request})
        document = services.document_create(actor=request.user, **payload)
        return Response(_document_out(request, document.pk), status=201)


class DocumentDetailView(APIView):
    @extend_schema(summary="执法文书详情", responses={200: DocumentOut}, operation_id="inspections_documents_detail")
    def get(self, request, pk: int):
        return Response(DocumentOut(_document(request, pk)).data)


class DocumentIssueView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(summary="送达执法文书（至少 2 名持有效执法证人员；重大决定须法制审核通过）",
                   request=IssueInput, responses={200: DocumentOut}, operation_id="inspections_documents_issue")
    def post(self, request, pk: int):
        document = _document(request, pk)
        ISSUE_DOCUMENTS.require(request.user)
        payload = validated(IssueInput, data=request.data)
        services.document_issue(actor=request.user, document=document, **payload)
        return Response(_document_out(request, pk))


class DocumentReviewView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(summary="记录法制审核", request=LegalReviewInput, responses={201: DocumentOut},
                   operation_id="inspections_documents_review")
    def post(self, request, pk: int):
        document = _document(request, pk)
        ISSUE_DOCUMENTS.require(request.user)
        payload = validated(LegalReviewInput, data=request.data)
        services.legal_review_record(actor=request.user, document=document, **payload)
        return Response(_document_out(request, pk), status=201)


def enforcement_record_view(*, name: str, title: str, rows, date_field: str, record, input_serializer,
                            output_serializer, list_serializer) -> type[APIView]:
    """The list and the recording of one of the bureau's per-enterprise records (exposures,
    summons): the same reading and the same writing, only the names differ."""

    class View(APIView):
        parser_classes = [JSONParser]

        @extend_schema(summary=f"{title}（本人范围）", responses={200: list_serializer},
                       operation_id=f"inspections_{name}_list")
        def get(self, request):
            found = rows(request.user).select_related("enterprise", "cell").order_by(f"-{date_field}", "-id")
            return Response(list_serializer({"results": found[:500]}).data)

        @extend_schema(summary=f"记录{title}", request=input_serializer, responses={201: output_serializer},
                       operation_id=f"inspections_{name}_create")
        def post(self, request):
            ISSUE_DOCUMENTS.require(request.user)
            payload = validated(input_serializer, data=request.data, context={"request": request})
            return Response(output_serializer(record(actor=request.user, **payload)).data,
                            status=201)

    View.__name__ = View.__qualname__ = f"{name.title()}ListView"
    return View


ExposureListView = enforcement_record_view(
    name="exposures", title="公开曝光", rows=selectors.exposures_for_user, date_field="exposed_on",
    record=services.exposure_record, input_serializer=ExposureInput, output_serializer=ExposureOut,
    list_serializer=ExposureListOut)
SummonsListView = enforcement_record_view(
    name="summonses", title="约谈", rows=selectors.summonses_for_user, date_field="held_on",
    record=services.summons_record, input_serializer=SummonsInput, output_serializer=SummonsOut,
    list_serializer=SummonsListOut)
