"""The query parameters of the OGC API – Features (Part 1 Core, Part 2 CRS by reference):
each one read, checked and refused with a Chinese message naming it (a 400)."""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.gis.geos import Polygon
from django.utils import timezone
from rest_framework.exceptions import ValidationError

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CGCS2000 = "http://www.opengis.net/def/crs/EPSG/0/4490"
# The coordinate systems offered, CRS84 (the default) first. Positions are stored in WGS84
# (SRID 4326); CGCS2000 differs from it by centimetres (gridmap.geo.coords takes one for the
# other), so asking for EPSG:4490 changes the axis order only: latitude first, as EPSG
# defines that system (north, east), while CRS84 is longitude first.
CRS_LIST = (CRS84, CGCS2000)
LATITUDE_FIRST = {CRS84: False, CGCS2000: True}
# Shorter spellings clients use for the same systems.
CRS_SPELLINGS = {
    "OGC:CRS84": CRS84, "[OGC:CRS84]": CRS84, "CRS84": CRS84,
    "http://www.opengis.net/def/crs/EPSG/0/4326": None,  # named to refuse it with the list
    "EPSG:4490": CGCS2000, "[EPSG:4490]": CGCS2000,
}

LIMIT_DEFAULT = 100
LIMIT_MAX = 10_000


def crs_param(params, name: str) -> str:
    """`crs` or `bbox-crs` as one of CRS_LIST (CRS84 when absent)."""
    value = params.get(name)
    if value is None or value == "":
        return CRS84
    value = CRS_SPELLINGS.get(value, value)
    if value not in CRS_LIST:
        raise ValidationError({name: f"不支持的坐标系 {params.get(name)}；可用：{'、'.join(CRS_LIST)}"})
    return value


def bbox_param(params) -> Polygon | None:
    """`bbox` (4 numbers, or 6 with heights, which are ignored) in `bbox-crs`'s axis order,
    as a WGS84 polygon; None when absent."""
    text = params.get("bbox")
    if text is None:
        return None
    crs = crs_param(params, "bbox-crs")
    order = "最小纬度,最小经度,最大纬度,最大经度" if LATITUDE_FIRST[crs] else "最小经度,最小纬度,最大经度,最大纬度"
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValidationError({"bbox": f"bbox 应为 {order}（{crs}）"})
    if LATITUDE_FIRST[crs]:
        values = [values[1], values[0], values[3], values[2]]
    west, south, east, north = values
    if not (west <= east and south <= north):
        raise ValidationError({"bbox": f"bbox 的最小值大于最大值；应为 {order}（{crs}）"})
    if not (-180 <= west and east <= 180 and -90 <= south and north <= 90):
        raise ValidationError({"bbox": f"bbox 超出经纬度范围；应为 {order}（{crs}）"})
    box = Polygon.from_bbox(values)
    box.srid = 4326
    return box


def limit_param(params) -> int:
    """`limit`: 100 when absent; above 10,000 the server gives 10,000 (as the API says)."""
    text = params.get("limit")
    if text is None or text == "":
        return LIMIT_DEFAULT
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if limit < 1:
        raise ValidationError({"limit": f"limit 应为 1～{LIMIT_MAX} 的整数"})
    return min(limit, LIMIT_MAX)


def after_param(params) -> int | None:
    """`after`: the page starts after this feature id (the `next` links carry it)."""
    text = params.get("after")
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError({"after": "after 应为要素编号（整数）"}) from None


def _moment(text: str, name: str, *, end: bool) -> dt.datetime | None:
    """One end of a `datetime` value: an RFC 3339 date-time, or a date (its whole day in the
    district's time zone); '..' or '' for an open end."""
    if text in ("", ".."):
        return None
    try:
        if "T" in text.upper():
            moment = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            if timezone.is_naive(moment):
                raise ValueError
            return moment
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: f"时间 {text} 应为 RFC 3339 时刻（如 2019-08-11T10:00:00+08:00）"
                                     "或日期（如 2019-08-11）"}) from None
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if end else start


def datetime_param(params) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """`datetime`: an instant, a date or an interval `start/end` (either end open with '..'),
    as (first, last) moments, both included; None when absent."""
    text = params.get("datetime")
    if text is None:
        return None
    if "/" in text:
        first, _, last = text.partition("/")
        if first in ("", "..") and last in ("", ".."):
            raise ValidationError({"datetime": "时间段至少要有一端"})
        start, end = _moment(first, "datetime", end=False), _moment(last, "datetime", end=True)
        if start and end and start > end:
            raise ValidationError({"datetime": "时间段的开始晚于结束"})
        return start, end
    return _moment(text, "datetime", end=False), _moment(text, "datetime", end=True)
