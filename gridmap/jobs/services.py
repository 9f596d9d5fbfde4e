"""Exports as jobs: asked for in a request (the job is queued in the request's own transaction,
so it exists exactly when the export row does), built by a worker into a file of the default
storage in constant memory, and removed when they expire."""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from gridmap.core.conf import app_settings as core_settings
from gridmap.core.ratelimit import rate_limit_take
from gridmap.core.spreadsheets import write_csv, write_xlsx
from gridmap.enterprises.register import register_filename, register_pdf
from gridmap.enterprises.selectors import risk_points_for_user
from gridmap.grids.models import Grid

from .conf import app_settings
from .models import Export
from .sources import SOURCES, Source, clean_filters, enterprises_queryset, geojson_features

log = logging.getLogger(__name__)

TABLE_FORMATS = (Export.Format.CSV, Export.Format.XLSX, Export.Format.GEOJSON)


@transaction.atomic
def export_request(*, requester, kind: str, fmt: str, filters: dict | None = None) -> Export:
    """Queue an export of `kind` in `fmt` with the lists' `filters`: counted against the
    requester's hourly limit, refused (changing nothing) with a Chinese message naming the
    field when the request is wrong."""
    from .tasks import export_build_job

    if kind not in Export.Kind.values:
        raise ValidationError({"kind": f"导出内容 {kind!r} 无效（可选：enterprises、inspections、hazards、registers）"})
    if kind == Export.Kind.REGISTERS:
        if fmt != Export.Format.ZIP:
            raise ValidationError({"format": "一企一册批量导出的格式为 zip"})
        cleaned = clean_filters(kind, filters, names=("grid",))
        if cleaned.get("grid") and not Grid.objects.filter(code=cleaned["grid"]).exists():
            raise ValidationError({"filters": f"网格 {cleaned['grid']} 不存在"})
    else:
        if fmt not in TABLE_FORMATS:
            raise ValidationError({"format": f"导出格式 {fmt!r} 无效（可选：csv、xlsx、geojson）"})
        cleaned = clean_filters(kind, filters)
    rate_limit_take(user=requester, action="export", per_hour=core_settings.RATE_EXPORTS_PER_HOUR, what="申请导出")
    export = Export.objects.create(requester=requester, kind=kind, format=fmt, filters=cleaned)
    # Deferred through Django's own connection: the job row commits or rolls back with this.
    export_build_job.defer(export_id=export.pk)
    return export


class Progress:
    """Rows written so far, saved every EXPORT_PROGRESS_EVERY rows on a connection of its own:
    the export reads inside one transaction (one snapshot, a cursor without WITH HOLD), whose
    writes nobody would see before it ends."""

    def __init__(self, export_id: int, total: int):
        self.export_id, self.total, self.rows = export_id, total, 0
        self.every = app_settings.EXPORT_PROGRESS_EVERY
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def count(self, items, *, skip: int = 0):
        """Pass `items` through, counting each after the first `skip` (a header row)."""
        for index, item in enumerate(items):
            yield item
            if index >= skip:
                self.rows += 1
                if self.rows % self.every == 0:
                    self.save()

    def save(self) -> None:
        fraction = min(0.99, self.rows / self.total) if self.total else 0.0
        with self.connection.cursor() as cursor:
            cursor.execute("UPDATE jobs_export SET rows = %s, progress = %s WHERE id = %s",
                           [self.rows, fraction, self.export_id])

    def close(self) -> None:
        self.connection.close()


def _write_table(export: Export, source: Source, path: Path) -> int:
    chunk = app_settings.EXPORT_CHUNK_ROWS
    with transaction.atomic():
        queryset = source.queryset(export.requester, export.filters)
        progress = Progress(export.pk, queryset.count())
        try:
            if export.format == Export.Format.CSV:
                with path.open("w", encoding="utf-8", newline="") as stream:
                    write_csv(progress.count(source.table_rows(queryset, chunk_size=chunk), skip=1), stream)
            elif export.format == Export.Format.XLSX:
                write_xlsx(progress.count(source.table_rows(queryset, chunk_size=chunk), skip=1), path,
                           title=source.sheet_title, freeze="A2")
            else:
                with path.open("w", encoding="utf-8") as stream:
                    _write_geojson(progress.count(geojson_features(source, queryset, chunk_size=chunk)), stream)
        finally:
            progress.close()
    return progress.rows


def _write_geojson(features, stream) -> None:
    """A FeatureCollection written feature by feature; PostGIS encoded each geometry."""
    stream.write('{"type":"FeatureCollection","features":[')
    for index, (pk, geometry, properties) in enumerate(features):
        if index:
            stream.write(",")
        stream.write(f'\n{{"type":"Feature","id":{json.dumps(pk)},"geometry":{geometry or "null"},'
                     f'"properties":{json.dumps(properties, ensure_ascii=False, default=str)}}}')
    stream.write("\n]}\n")


def _write_registers(export: Export, path: Path) -> int:
    """One register PDF per enterprise the requester sees in the grid (or the district),
    filed by cell in one zip; PDFs are compressed already, so stored, not deflated."""
    user = export.requester
    with transaction.atomic():
        enterprises = enterprises_queryset(user, export.filters).order_by("cell_code", "name")
        progress = Progress(export.pk, enterprises.count())
        progress.every = 1
        try:
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
                for enterprise in progress.count(enterprises.iterator(chunk_size=100)):
                    points = list(risk_points_for_user(user, enterprise=enterprise))
                    folder = enterprise.cell_code or "未落入网格"
                    archive.writestr(f"{folder}/{register_filename(enterprise)}", register_pdf(enterprise, points))
        finally:
            progress.close()
    return progress.rows


def export_filename(export: Export) -> str:
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return f"{export.kind}-{stamp}-{export.pk}.{export.format}"


def export_build(*, export_id: int) -> Export | None:
    """Build a queued export's file (the worker's job). Run once: a job retried after the
    export finished or failed does nothing."""
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return None
    export = Export.objects.select_related("requester").get(pk=export_id)
    try:
        with tempfile.TemporaryDirectory(prefix="gridmap-export-") as folder:
            path = Path(folder) / export_filename(export)
            if export.kind == Export.Kind.REGISTERS:
                rows = _write_registers(export, path)
            else:
                rows = _write_table(export, SOURCES[export.kind], path)
            with path.open("rb") as stream:
                name = default_storage.save(f"{app_settings.EXPORT_FOLDER}/{export.requester_id}/{path.name}",
                                            File(stream, name=path.name))
    except Exception as exc:
        log.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(status=Export.Status.FAILED, finished_at=timezone.now(),
                                                   error=f"导出失败：{type(exc).__name__}: {exc}"[:500])
        return Export.objects.get(pk=export_id)
    now = timezone.now()
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.DONE, progress=1.0, rows=rows, total=rows, file=name, finished_at=now,
        expires_at=now + dt.timedelta(days=app_settings.EXPORT_KEEP_DAYS))
    return Export.objects.get(pk=export_id)


def exports_expire(*, now: dt.datetime | None = None) -> int:
    """Remove the exports past their expiry (their files first) and failed ones as old;
    returns how many."""
    now = now or timezone.now()
    keep = dt.timedelta(days=app_settings.EXPORT_KEEP_DAYS)
    old = Export.objects.filter(expires_at__lt=now) | Export.objects.filter(
        status=Export.Status.FAILED, created_at__lt=now - keep)
    removed = 0
    for export in old.only("pk", "file"):
        if export.file.name:
            default_storage.delete(export.file.name)
        export.delete()
        removed += 1
    return removed
