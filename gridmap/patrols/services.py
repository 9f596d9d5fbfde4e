"""Recording a patrol: the cell comes from PostGIS, the photos are checked by content."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pghistory
from django.conf import settings
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from gridmap.enterprises.selectors import enterprise_distance_m, enterprises_for_user
from gridmap.geo.coords import DEFAULT_CRS, LONLAT_CRS, to_wgs84_arrays
from gridmap.geo.photos import check_photos
from gridmap.grids.models import Grid
from gridmap.grids.scope import scope_for

from .models import Patrol, PatrolPhoto

# Phones' clocks drift; a record a few minutes "in the future" is not an error.
CLOCK_SKEW = dt.timedelta(minutes=10)


def _to_wgs84(points: Sequence[tuple[float, float]], crs: str) -> list[tuple[float, float]]:
    if crs in LONLAT_CRS:
        return [(float(x), float(y)) for x, y in points]
    lons, lats = to_wgs84_arrays([p[0] for p in points], [p[1] for p in points], crs)
    return list(zip((float(v) for v in lons), (float(v) for v in lats), strict=True))


def cell_covering(point: Point) -> Grid | None:
    """The deepest grid covering a point, found by PostGIS (ST_Covers on the GiST index)."""
    return (Grid.objects.filter(level__gte=Grid.Level.LEVEL_2, geom__covers=point)
            .order_by("-level", "code").first())


@transaction.atomic
def patrol_record(*, actor, lon: float, lat: float, crs: str = DEFAULT_CRS,
                  patrolled_at: dt.datetime | None = None,
                  track: Sequence[tuple[float, float]] | None = None,
                  visited: str = "", notes: str = "", enterprise_id: int | None = None,
                  photos: Sequence[UploadedFile] = ()) -> Patrol:
    """Record a patrol at a position inside one of the actor's own cells; a visit to an
    enterprise more than GRIDMAP_PATROL_VISIT_MAX_DISTANCE_M from it is flagged."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied("请先登录")
    now = timezone.now()
    patrolled_at = patrolled_at or now
    if patrolled_at > now + CLOCK_SKEW:
        raise ValidationError({"patrolled_at": "巡查时间不能晚于现在"})
    formats = check_photos(photos)

    (x, y), = _to_wgs84([(lon, lat)], crs)
    position = Point(x, y, srid=4326)
    cell = cell_covering(position)
    if cell is None:
        raise ValidationError({"position": f"位置 ({x:.6f}, {y:.6f}) 不在本区任何网格内"})
    if not scope_for(actor).cells().filter(pk=cell.pk).exists():
        raise PermissionDenied(f"位置位于 {cell.name}（{cell.code}），不在您负责的网格内")
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

    with pghistory.context(user=actor.pk, action="patrol_record"):
        patrol = Patrol.objects.create(
            officer=actor, cell=cell, patrolled_at=patrolled_at, position=position, track=line,
            visited=(visited.strip() or (enterprise.name if enterprise else ""))[:300],
            notes=notes.strip()[:4000], enterprise=enterprise, enterprise_distance_m=distance,
            far_from_enterprise=distance is not None and distance > settings.GRIDMAP_PATROL_VISIT_MAX_DISTANCE_M,
            district_code=cell.district_code)
        for upload, found in zip(photos, formats, strict=True):
            photo = PatrolPhoto(patrol=patrol, image_format=found, size_bytes=upload.size,
                                original_name=(upload.name or "")[:200])
            photo.image.save(upload.name or "photo", upload, save=False)
            photo.save()
    return patrol
