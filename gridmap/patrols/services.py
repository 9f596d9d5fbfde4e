"""Recording a patrol: the cell comes from PostGIS, the photos are checked by content."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence

from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from gridmap.core.dates import synced_record_day
from gridmap.core.history import recorded_as
from gridmap.core.sync import Synced, created_once, submission_digest
from gridmap.enterprises.selectors import enterprise_distance_m, enterprises_for_user
from gridmap.geo.coords import (
    DEFAULT_CRS,
    CoordinateError,
    CRSError,
    lonlat_problem,
    offered_crs,
    to_wgs84_arrays,
)
from gridmap.geo.photos import check_photos
from gridmap.grids.models import Grid
from gridmap.grids.scope import check_on_duty
from gridmap.grids.selectors import cell_on
from gridmap.patrols.conf import app_settings as patrol_settings

from .models import Patrol, PatrolPhoto

# The most points a track may have, from the page and the API alike (a day's walk logged
# every few seconds; more is a malformed or hostile track).
MAX_TRACK_POINTS = 5000
TRACK_SHAPE = "应为 [[经度, 纬度], ...]"


def track_points(value) -> list[tuple[float, float]] | None:
    """A track as the page sends it (JSON text) or the API (a list): [[lon, lat], ...];
    the one check of both doors, ValidationError naming the track and the point."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise ValidationError({"track": f"轨迹{TRACK_SHAPE}"}) from None
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        raise ValidationError({"track": f"轨迹{TRACK_SHAPE}"})
    if len(value) > MAX_TRACK_POINTS:
        raise ValidationError({"track": f"轨迹点过多（{len(value)} 个，最多 {MAX_TRACK_POINTS} 个）"})
    if len(value) < 2:
        raise ValidationError({"track": "轨迹至少需要两个点"})
    points = []
    for number, point in enumerate(value, start=1):
        try:
            if not isinstance(point, list | tuple) or len(point) != 2 or any(isinstance(v, bool) for v in point):
                raise TypeError(point)
            x, y = float(point[0]), float(point[1])
        except (TypeError, ValueError):
            raise ValidationError({"track": f"轨迹第 {number} 个点{TRACK_SHAPE}"}) from None
        why = lonlat_problem(x, y)
        if why:
            raise ValidationError({"track": f"轨迹第 {number} 个点：{why}"})
        points.append((x, y))
    return points


def _to_wgs84(points: Sequence[tuple[float, float]], crs: str, *, field: str) -> list[tuple[float, float]]:
    try:
        lons, lats = to_wgs84_arrays([p[0] for p in points], [p[1] for p in points], crs)
    except CoordinateError as exc:
        where = f"轨迹第 {exc.index + 1} 个点" if field == "track" else "位置"
        raise ValidationError({field: f"{where}：{exc}"}) from None
    return list(zip((float(v) for v in lons), (float(v) for v in lats), strict=True))


def _check_duty(actor, cell: Grid, day: dt.date) -> None:
    """The actor answered for the cell on the patrol's own day (not the day it arrives)."""
    try:
        check_on_duty(actor, cell, day, field="patrolled_at", what="巡查")
    except PermissionDenied:
        raise PermissionDenied(f"位置位于 {cell.name}（{cell.code}），不在您负责的网格内") from None


def _digest(*, lon, lat, crs, patrolled_at, track, visited, notes, enterprise_id, photos) -> str:
    return submission_digest({
        "lon": lon, "lat": lat, "crs": crs, "track": [list(p) for p in track] if track else None,
        "patrolled_at": patrolled_at.astimezone(dt.UTC).isoformat() if patrolled_at else None,
        "visited": visited, "notes": notes, "enterprise_id": enterprise_id}, photos)


@transaction.atomic
def patrol_record(*, actor, lon: float, lat: float, crs: str = DEFAULT_CRS,
                  patrolled_at: dt.datetime | None = None,
                  track: str | Sequence[Sequence[float]] | None = None,
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
    day = synced_record_day(patrolled_at, field="patrolled_at", label="巡查时间", now=now)
    formats = check_photos(photos)

    try:
        offered_crs(crs)
    except CRSError as exc:
        raise ValidationError({"crs": str(exc)}) from None
    (x, y), = _to_wgs84([(lon, lat)], crs, field="position")
    points = track_points(track)
    position = Point(x, y, srid=4326)
    cell = cell_on(position, day)
    if cell is None:
        raise ValidationError({"position": f"位置 ({x:.6f}, {y:.6f}) 不在本区任何网格内"})
    _check_duty(actor, cell, day)
    enterprise, distance = None, None
    if enterprise_id is not None:
        enterprise = enterprises_for_user(actor).filter(pk=enterprise_id).first()
        if enterprise is None:
            raise ValidationError({"enterprise": "企业不存在或不在您负责的网格内"})
        distance = enterprise_distance_m(enterprise_id=enterprise.pk, point=position)
    line = LineString(_to_wgs84(points, crs, field="track"), srid=4326) if points else None
    if line is not None and not Grid.objects.filter(pk=cell.pk, geom__intersects=line).exists():
        raise ValidationError({"track": f"轨迹与 {cell.name}（{cell.code}）没有任何交点"})

    with recorded_as(actor, "patrol_record"):
        patrol = Patrol.objects.create(
            officer=actor, cell=cell, patrolled_at=patrolled_at, position=position, track=line,
            visited=(visited.strip() or (enterprise.name if enterprise else ""))[:300],
            notes=notes.strip()[:4000], enterprise=enterprise, enterprise_distance_m=distance,
            far_from_enterprise=distance is not None and distance > patrol_settings.PATROL_VISIT_MAX_DISTANCE_M,
            district_code=cell.district_code, client_id=client_id, client_digest=client_digest)
        for upload, found in zip(photos, formats, strict=True):
            photo = PatrolPhoto(patrol=patrol, image_format=found, size_bytes=upload.size,
                                original_name=(upload.name or "")[:200])
            photo.image.save(upload.name or "photo", upload, save=False)
            photo.save()
    return patrol


def patrol_sync(*, actor, client_id: uuid.UUID | None, lon: float, lat: float, crs: str = DEFAULT_CRS,
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
