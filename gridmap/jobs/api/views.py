"""The export API: ask for an export (202, always: a worker builds it), follow its progress,
download its file (the requester only)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Export
from ..selectors import export_of, exports_of
from ..services import export_filename, export_request


class ExportRequest(serializers.Serializer):
    kind = serializers.ChoiceField(label="导出内容", choices=Export.Kind.choices)
    format = serializers.ChoiceField(label="格式", choices=Export.Format.choices)
    filters = serializers.DictField(label="筛选条件（与列表相同的名称）", required=False, default=dict)


class ExportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    format = serializers.CharField()
    filters = serializers.DictField()
    status = serializers.ChoiceField(choices=Export.Status.choices)
    progress = serializers.FloatField(min_value=0, max_value=1)
    rows = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    download_url = serializers.URLField(required=False)


def export_data(request, export: Export) -> dict:
    data = {"id": export.pk, "kind": export.kind, "format": export.format, "filters": export.filters,
            "status": export.status, "progress": round(export.progress, 4), "rows": export.rows,
            "created_at": export.created_at.isoformat(),
            "finished_at": export.finished_at.isoformat() if export.finished_at else None,
            "expires_at": export.expires_at.isoformat() if export.expires_at else None,
            "error": export.error}
    if export.status == Export.Status.DONE and export.file.name:
        # On the platform's own host (not the storage's): the download is checked per user.
        data["download_url"] = request.build_absolute_uri(reverse("export-download", args=[export.pk]))
    return data


class ExportListView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary="本人的导出（最近 100 个）", responses={200: ExportOutput(many=True)},
                   operation_id="exports_list")
    def get(self, request):
        return Response([export_data(request, e) for e in exports_of(request.user)[:100]])

    @extend_schema(summary="申请导出（后台生成，立即返回 202 与编号；本人可见范围，筛选条件同列表）",
                   request=ExportRequest, responses={202: ExportOutput})
    def post(self, request):
        payload = ExportRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        export = export_request(requester=request.user, kind=payload.validated_data["kind"],
                                fmt=payload.validated_data["format"], filters=payload.validated_data["filters"])
        return Response(export_data(request, export), status=202)


class ExportDetailView(APIView):
    @extend_schema(summary="导出的状态、进度、行数；完成后给出下载地址", responses={200: ExportOutput})
    def get(self, request, pk: int):
        export = export_of(request.user, pk)
        if export is None:
            raise NotFound("导出不存在")
        return Response(export_data(request, export))


class ExportDownloadView(APIView):
    @extend_schema(summary="下载导出文件（仅申请人）",
                   responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, pk: int):
        export = export_of(request.user, pk)
        if export is None or export.status != Export.Status.DONE or not export.file.name:
            raise NotFound("导出不存在或尚未完成")
        return FileResponse(default_storage.open(export.file.name, "rb"), as_attachment=True,
                            filename=export_filename(export), content_type=CONTENT_TYPES[export.format])


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "zip": "application/zip",
}
