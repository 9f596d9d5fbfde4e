"""Recording a patrol: the cell comes from PostGIS, the photos are checked by content."""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from collections.abc import Sequence

import pghistory
from django.conf import settings
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from gridmap.core.sync import Synced, created_once, submission_digest
from gridmap.enterprises.selectors import enterprise_distance_m, enterprises_for_user
from gridmap.grids.coords import to_wgs84_arrays
from gridmap.grids.models import Grid
from gridmap.grids.scope import cells_on_duty

from .models import Patrol, PatrolPhoto

# Phones' clocks drift; a record a few minutes "in the future" is not an error.
CLOCK_SKEW = dt.timedelta(minutes=10)
# A phone may sync a record made offline up to this long after it was made.
BACKDATE_LIMIT = dt.timedelta(days=30)
CONVERTED_CRS = ("gcj02", "bd09")


def _to_wgs84(points: Sequence[tuple[float, float]], crs: str) -> list[tuple[float, float]]:
    if crs not in CONVERTED_CRS:
        return [(float(x), float(y)) for x, y in points]
    lons, lats = to_wgs84_arrays([p[0] for p in points], [p[1] for p in points], crs)
    return list(zip((float(v) for v in lons), (float(v) for v in lats), strict=True))


def cell_covering(point: Point) -> Grid | None:
    """The deepest grid covering a point, found by PostGIS (ST_Covers on the GiST index)."""
    return (Grid.objects.filter(level__gte=Grid.Level.LEVEL_2, geom__covers=point)
            .order_by("-level", "code").first())


def check_photo(upload: UploadedFile) -> str:
    """The image format found by decoding the file; refuse anything else or anything too big."""
    name = upload.name or "照片"
    if upload.size > settings.GRIDMAP_PATROL_PHOTO_MAX_BYTES:
        limit = settings.GRIDMAP_PATROL_PHOTO_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"photos": f"{name}：超过 {limit} MB"})
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # A decompression bomb is an error here, not a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                found = image.format
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ValidationError({"photos": f"{name}：不是可识别的图片（{type(exc).__name__}）"}) from exc
    finally:
        upload.seek(0)
    if found not in settings.GRIDMAP_PATROL_PHOTO_FORMATS:
        allowed = "、".join(settings.GRIDMAP_PATROL_PHOTO_FORMATS)
        raise ValidationError({"photos": f"{name}：格式 {found} 不支持（可用 {allowed}）"})
    return found


def _check_time(patrolled_at: dt.datetime, now: dt.datetime) -> dt.date:
    """The record's own day in the district's time zone, once its time is possible."""
    if patrolled_at > now + CLOCK_SKEW:
        raise ValidationError({"patrolled_at": f"巡查时间 {timezone.localtime(patrolled_at):%Y-%m-%d %H:%M} "
                                               f"晚于现在（手机时钟误差最多 {CLOCK_SKEW.seconds // 60} 分钟）"})
    if patrolled_at < now - BACKDATE_LIMIT:
        raise ValidationError({"patrolled_at": f"巡查时间 {timezone.localtime(patrolled_at):%Y-%m-%d} "
                                               f"早于 {BACKDATE_LIMIT.days} 天前，不能补录"})
    return timezone.localdate(patrolled_at)


def _check_duty(actor, cell: Grid, day: dt.date) -> None:
    """The actor answered for the cell on the record's own day (not the day it arrives)."""
    if cells_on_duty(actor, day).filter(pk=cell.pk).exists():
        return
    if cells_on_duty(actor, None).filter(pk=cell.pk).exists():
        raise ValidationError({"patrolled_at": f"{day:%Y-%m-%d} 您不在 {cell.name}（{cell.code}）值守，"
                                               "不能记录该日的巡查"})
    raise PermissionDenied(f"位置位于 {cell.name}（{cell.code}），不在您负责的网格内")


def _digest(*, lon, lat, crs, patrolled_at, track, visited, notes, enterprise_id, photos) -> str:
    return submission_digest({
        "lon": lon, "lat": lat, "crs": crs, "track": [list(p) for p in track] if track else None,
        "patrolled_at": patrolled_at.astimezone(dt.UTC).isoformat() if patrolled_at else None,
        "visited": visited, "notes": notes, "enterprise_id": enterprise_id}, photos)


@transaction.atomic
def patrol_record(*, actor, lon: float, lat: float, crs: str = "wgs84",
                  patrolled_at: dt.datetime | None = None,
                  track: Sequence[tuple[float, float]] | None = None,
                  visited: str = "", notes: str = "", enterprise_id: int | None = None,
                  photos: Sequence[UploadedFile] = (), client_id: uuid.UUID | None = None,
                  client_digest: str = "") -> Patrol:
    """Record a patrol at a position inside a cell the actor answered for on the patrol's own
    day; a visit to an enterprise more than GRIDMAP_PATROL_VISIT_MAX_DISTANCE_M from it is
    flagged. Phones use `patrol_sync`, which stores a record sent twice once."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied("请先登录")
    now = timezone.now()
    patrolled_at = patrolled_at or now
    day = _check_time(patrolled_at, now)
    if len(photos) > settings.GRIDMAP_PATROL_MAX_PHOTOS:
        raise ValidationError({"photos": f"每条巡查记录最多 {settings.GRIDMAP_PATROL_MAX_PHOTOS} 张照片"})
    formats = [check_photo(photo) for photo in photos]

    (x, y), = _to_wgs84([(lon, lat)], crs)
    position = Point(x, y, srid=4326)
    cell = cell_covering(position)
    if cell is None:
        raise ValidationError({"position": f"位置 ({x:.6f}, {y:.6f}) 不在本区任何网格内"})
    _check_duty(actor, cell, day)
    enterprise, distance = None, None
    if enterprise_id is not None:
        enterprise = enterprises_for_user(actor).filter(pk=enterprise_id).first()
        if enterprise is None:
            raise ValidationError({"enterprise": "企业不存在或不在您负责的网格内"})
        distance = enterprise_distance_m(enterprise_id=enterprise.pk, point=position)
    line = None
    if track:
        if len(track) < 2:
            raise ValidationError({"track": "轨迹至少需要两个点"})
        line = LineString(_to_wgs84(track, crs), srid=4326)
        if not Grid.objects.filter(pk=cell.pk, geom__intersects=line).exists():
            raise ValidationError({"track": f"轨迹与 {cell.name}（{cell.code}）没有任何交点"})

    with pghistory.context(user=actor.pk, action="patrol_record"):
        patrol = Patrol.objects.create(
            officer=actor, cell=cell, patrolled_at=patrolled_at, position=position, track=line,
            visited=(visited.strip() or (enterprise.name if enterprise else ""))[:300],
            notes=notes.strip()[:4000], enterprise=enterprise, enterprise_distance_m=distance,
            far_from_enterprise=distance is not None and distance > settings.GRIDMAP_PATROL_VISIT_MAX_DISTANCE_M,
            district_code=cell.district_code, client_id=client_id, client_digest=client_digest)
        for upload, found in zip(photos, formats, strict=True):
            photo = PatrolPhoto(patrol=patrol, image_format=found, size_bytes=upload.size,
                                original_name=(upload.name or "")[:200])
            photo.image.save(upload.name or "photo", upload, save=False)
            photo.save()
    return patrol


def patrol_sync(*, actor, client_id: uuid.UUID | None, lon: float, lat: float, crs: str = "wgs84",
                patrolled_at: dt.datetime | None = None,
                track: Sequence[tuple[float, float]] | None = None, visited: str = "", notes: str = "",
                enterprise_id: int | None = None, photos: Sequence[UploadedFile] = ()) -> Synced:
    """A patrol sent by a phone: the first request with a client_id records it, a retry gets
    that record back (also when both arrive at once), other content under it is a Conflict."""
    fields = {"lon": lon, "lat": lat, "crs": crs, "patrolled_at": patrolled_at, "track": track,
              "visited": visited, "notes": notes, "enterprise_id": enterprise_id, "photos": photos}
    digest = _digest(**fields) if client_id else ""
    mine = Patrol.objects.filter(officer_id=actor.pk) if actor.is_authenticated else Patrol.objects.none()
    return created_once(lambda: patrol_record(actor=actor, client_id=client_id, client_digest=digest, **fields),
                        mine=mine, client_id=client_id, digest=digest, constraint="patrol_client_id_once")
