"""The inspections API: thin views over selectors (reads, scoped) and services (writes)."""

import json

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.accounts.models import User
from gridmap.core.sync import Conflict, ConflictError
from gridmap.enterprises.models import Enterprise
from gridmap.inspections import selectors, services
from gridmap.inspections.models import EnforcementDocument, Hazard, Inspection, InspectionTask, Report

MAX_AREA_RESULTS = 5000


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


class Text(serializers.CharField):
    """A string, and only a string: DRF's CharField would turn 0 into "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("应为字符串")
        return super().to_internal_value(data)


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
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise serializers.ValidationError("应为 GeoJSON 多边形") from exc
        if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
            raise serializers.ValidationError("应为 GeoJSON Polygon 或 MultiPolygon")
        try:
            geom = GEOSGeometry(json.dumps(data), srid=4326)
        except (GEOSException, GDALException, ValueError, TypeError) as exc:
            raise serializers.ValidationError("多边形无法解析") from exc
        if geom.empty or not geom.valid or geom.num_coords > 10000:
            raise serializers.ValidationError("多边形无效（自相交、为空或点数过多）")
        x0, y0, x1, y1 = geom.extent
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise serializers.ValidationError("坐标超出经纬度范围")
        return geom

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
                                     help_text="承办人用户名；留空则为各企业所在网格的网格员")
    note = Text(max_length=200, required=False, allow_blank=True, default="")


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
        query = AreaQuery(data=request.data)
        query.is_valid(raise_exception=True)
        rows = list(_area(request, query.validated_data)[:MAX_AREA_RESULTS + 1])
        return Response({"count": min(len(rows), MAX_AREA_RESULTS), "truncated": len(rows) > MAX_AREA_RESULTS,
                         "enterprises": [_enterprise_row(e) for e in rows[:MAX_AREA_RESULTS]],
                         "loads": selectors.officer_loads(request.user, cells=sorted({e.cell_code for e in rows}))
                         if services.can_supervise(request.user) else []})


class AreaAssignView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="按区域批量分配检查任务（一次事务；不重复分配）", request=AreaAssign,
                   responses={201: OpenApiTypes.OBJECT}, operation_id="inspections_area_assign")
    def post(self, request):
        if not services.can_supervise(request.user):
            raise PermissionDenied("只有监管人员或系统管理员可以分配检查任务")
        query = AreaAssign(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        assignee = None
        if data.get("assignee"):
            assignee = User.objects.filter(username=data["assignee"]).first()
            if assignee is None:
                raise ValidationError({"assignee": "没有该用户"})
        ids = list(_area(request, data).values_list("pk", flat=True)[:MAX_AREA_RESULTS + 1])
        if not ids:
            raise ValidationError({"enterprises": "所选区域内没有符合条件的企业"})
        result = _call(services.tasks_assign, actor=request.user, enterprise_ids=ids, due_date=data["due_date"],
                       assignee=assignee, note=data.get("note", ""))
        return Response({"created": len(result.created), "already_open": len(result.already_open),
                         "no_officer": len(result.no_officer), "summary": result.summary(),
                         "tasks": [t.pk for t in result.created]}, status=201)


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
    @extend_schema(summary="检查任务详情", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        task = selectors.task_in_scope(request.user, pk)
        if task is None:
            raise NotFound("任务不存在或无权查看")
        return Response(task_data(task))


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
        payload = TaskAction(data=request.data)
        payload.is_valid(raise_exception=True)
        task = _call(services.task_transition, actor=request.user, task=task, action=action,
                     **payload.validated_data)
        return Response(task_data(selectors.task_in_scope(request.user, task.pk)))


def hazard_data(h) -> dict:
    return {"id": h.pk, "enterprise": {"id": h.enterprise_id, "name": h.enterprise.name}, "cell": h.cell.code,
            "level": h.level, "criterion_code": h.criterion_code, "description": h.description,
            "status": h.status, "status_display": h.get_status_display(), "found_on": h.found_on.isoformat(),
            "deadline": h.current_deadline.isoformat(), "overdue": h.is_overdue,
            "photos": [reverse("inspection-photo", args=[p.pk]) for p in h.photos.all()]}


class HazardListView(APIView):
    @extend_schema(summary="隐患（本人范围；open=1 仅未销号）", responses={200: OpenApiTypes.OBJECT},
                   operation_id="inspections_hazards_list")
    def get(self, request):
        hazards = selectors.first_hazards_for_user(request.user, 500,
                                                   open_only=request.query_params.get("open") == "1")
        return Response({"results": [hazard_data(h) for h in hazards.prefetch_related("photos")]})


class HazardDetailView(APIView):
    @extend_schema(summary="隐患详情", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        hazard = selectors.hazard_in_scope(request.user, pk)
        if hazard is None:
            raise NotFound("隐患不存在或无权查看")
        return Response(hazard_data(hazard))


class ReportInput(serializers.Serializer):
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None,
                                      help_text="手机生成的 UUID：同一编号重复提交只保存一次")
    description = Text(max_length=2000)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    crs = serializers.ChoiceField(choices=["wgs84", "cgcs2000", "gcj02", "bd09"], default="wgs84")
    source = serializers.ChoiceField(choices=Report.Source.values, default=Report.Source.PUBLIC)
    reporter_name = Text(max_length=64, required=False, allow_blank=True, default="")
    reporter_phone = Text(max_length=32, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=6)


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
        data = request.data
        if hasattr(data, "dict"):
            data = {**data.dict(), "photos": request.FILES.getlist("photos")}
        payload = ReportInput(data=data)
        payload.is_valid(raise_exception=True)
        try:
            report, created = _call(services.report_sync, actor=request.user, **payload.validated_data)
        except Conflict as exc:
            raise ConflictError(str(exc)) from exc
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
    @extend_schema(summary="检查、隐患、举报照片", responses={(200, "image/*"): bytes})
    def get(self, request, pk: int):
        photo = selectors.photo_in_scope(request.user, pk)
        if photo is None:
            raise NotFound("照片不存在或无权查看")
        response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
        return response


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


class DocumentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EnforcementDocument.Kind.values)
    number = Text(max_length=64)
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    signers = serializers.ListField(child=Text(max_length=150), max_length=20,
                                    help_text="执法人员用户名（至少 2 名，送达之日须持有效执法证）")
    inspection = serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False, allow_null=True)
    hazard = serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False, allow_null=True)
    fine_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    production_stop = serializers.BooleanField(default=False)
    equipment_sealed = serializers.IntegerField(min_value=0, max_value=MAX_INT, default=0)
    content = Text(max_length=4000, required=False, allow_blank=True, default="")
    issued_on = serializers.DateField(required=False, allow_null=True,
                                      help_text="填写则同时送达（一次事务：任何一项不合规则不保存）")


class IssueInput(serializers.Serializer):
    issued_on = serializers.DateField()


class LegalReviewInput(serializers.Serializer):
    reviewed_on = serializers.DateField()
    approved = RequiredBoolean()
    opinion = Text(max_length=2000)


class ExposureInput(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    exposed_on = serializers.DateField()
    medium = Text(max_length=100)
    note = Text(max_length=300, required=False, allow_blank=True, default="")


class SummonsInput(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    held_on = serializers.DateField()
    people = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    note = Text(max_length=300, required=False, allow_blank=True, default="")


class ExposureOut(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = NamedRef()
    cell = serializers.CharField(source="cell.code")
    exposed_on = serializers.DateField()
    medium = serializers.CharField()
    note = serializers.CharField()


class SummonsOut(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = NamedRef()
    cell = serializers.CharField(source="cell.code")
    held_on = serializers.DateField()
    people = serializers.IntegerField()
    note = serializers.CharField()


class ExposureListOut(serializers.Serializer):
    results = ExposureOut(many=True)


class SummonsListOut(serializers.Serializer):
    results = SummonsOut(many=True)


def _require_writer(request) -> None:
    # The services refuse too; asking first keeps a refused caller from learning, through
    # validation messages, which enterprises or users exist.
    if not services.can_supervise(request.user):
        raise PermissionDenied("只有区应急管理局监管人员或系统管理员可以制作、审核、送达执法文书及记录曝光、约谈")


def _enterprise(request, pk: int) -> Enterprise:
    enterprise = selectors.enterprises_visible(request.user).filter(pk=pk).first()
    if enterprise is None:
        raise ValidationError({"enterprise": "企业不存在或不在您的范围内"})
    return enterprise


def _document(request, pk: int) -> EnforcementDocument:
    document = selectors.document_in_scope(request.user, pk)
    if document is None:
        raise NotFound("文书不存在或无权查看")
    return document


def _document_out(request, pk: int) -> dict:
    return DocumentOut(selectors.document_in_scope(request.user, pk)).data


class DocumentListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="执法文书（本人范围；按种类、年度、状态筛选）", parameters=[DocumentQuery],
                   responses={200: DocumentListOut}, operation_id="inspections_documents_list")
    def get(self, request):
        query = DocumentQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        documents = selectors.documents_filtered(request.user, **query.validated_data)
        rows = list(documents[:500])
        return Response(DocumentListOut({"count": documents.count(), "results": rows}).data)

    @extend_schema(summary="制作执法文书（填写 issued_on 则同时送达；重大决定须先经法制审核）",
                   request=DocumentInput, responses={201: DocumentOut}, operation_id="inspections_documents_create")
    def post(self, request):
        _require_writer(request)
        payload = DocumentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        enterprise = _enterprise(request, data.pop("enterprise"))
        names = list(dict.fromkeys(data.pop("signers")))
        signers = list(User.objects.filter(username__in=names, is_active=True))
        missing = sorted(set(names) - {u.username for u in signers})
        if missing:
            raise ValidationError({"signers": f"没有这些在用账户：{'、'.join(missing)}"})
        for name, model in (("inspection", Inspection), ("hazard", Hazard)):
            ref = data.pop(name, None)
            data[name] = None
            if ref is not None:
                data[name] = model.objects.filter(pk=ref, enterprise=enterprise).first()
                if data[name] is None:
                    raise ValidationError({name: "不是该企业的记录"})
        issued_on = data.pop("issued_on", None)
        try:
            with transaction.atomic():
                document = _call(services.document_draft, actor=request.user, enterprise=enterprise,
                                 signers=signers, **data)
                if issued_on is not None:
                    document = _call(services.document_issue, actor=request.user, document=document,
                                     issued_on=issued_on)
        except IntegrityError as exc:
            # Two submissions of the same number at once: the unique constraint decides.
            raise ValidationError({"number": "文书编号已存在（可能有人同时提交了同一编号）"}) from exc
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
        _require_writer(request)
        payload = IssueInput(data=request.data)
        payload.is_valid(raise_exception=True)
        _call(services.document_issue, actor=request.user, document=document, **payload.validated_data)
        return Response(_document_out(request, pk))


class DocumentReviewView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(summary="记录法制审核", request=LegalReviewInput, responses={201: DocumentOut},
                   operation_id="inspections_documents_review")
    def post(self, request, pk: int):
        document = _document(request, pk)
        _require_writer(request)
        payload = LegalReviewInput(data=request.data)
        payload.is_valid(raise_exception=True)
        _call(services.legal_review_record, actor=request.user, document=document, **payload.validated_data)
        return Response(_document_out(request, pk), status=201)


class ExposureListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="公开曝光（本人范围）", responses={200: ExposureListOut},
                   operation_id="inspections_exposures_list")
    def get(self, request):
        rows = selectors.exposures_for_user(request.user).select_related("enterprise", "cell") \
            .order_by("-exposed_on", "-id")[:500]
        return Response(ExposureListOut({"results": rows}).data)

    @extend_schema(summary="记录公开曝光", request=ExposureInput, responses={201: ExposureOut},
                   operation_id="inspections_exposures_create")
    def post(self, request):
        _require_writer(request)
        payload = ExposureInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        enterprise = _enterprise(request, data.pop("enterprise"))
        exposure = _call(services.exposure_record, actor=request.user, enterprise=enterprise, **data)
        return Response(ExposureOut(exposure).data, status=201)


class SummonsListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="约谈（本人范围）", responses={200: SummonsListOut},
                   operation_id="inspections_summonses_list")
    def get(self, request):
        rows = selectors.summonses_for_user(request.user).select_related("enterprise", "cell") \
            .order_by("-held_on", "-id")[:500]
        return Response(SummonsListOut({"results": rows}).data)

    @extend_schema(summary="记录约谈", request=SummonsInput, responses={201: SummonsOut},
                   operation_id="inspections_summonses_create")
    def post(self, request):
        _require_writer(request)
        payload = SummonsInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        enterprise = _enterprise(request, data.pop("enterprise"))
        summons = _call(services.summons_record, actor=request.user, enterprise=enterprise, **data)
        return Response(SummonsOut(summons).data, status=201)
