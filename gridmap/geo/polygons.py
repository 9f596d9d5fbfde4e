"""The one way an area drawn by a user comes in (a flood analysis, an inspection area): a
GeoJSON Polygon or MultiPolygon, or a Feature of one, in one of the named coordinate systems
or an EPSG code, returned as a WGS84 MultiPolygon.

One policy: an area whose boundary crosses itself is refused, not repaired. A bow-tie can be
read as two triangles or as nothing; guessing would answer for an area nobody drew. The
error says where it crosses, so the user can redraw there.
"""

from __future__ import annotations

import json
import math
import re

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from pyproj import Geod
from shapely.validation import explain_validity

from .coords import CRS_NAMES, CRS_NAMES_TEXT, CoordinateError, CRSError, geometries_to_wgs84, normalise_crs_name

# A drawn area larger than the district (1,476 km²) with margin is a mistake, not a query.
MAX_AREA_KM2 = 3000
MAX_VERTICES = 10_000
# An edge spanning this much longitude or latitude is no drawn area (and an edge of 180°
# has no defined great-circle path: PostGIS refuses it as an "antipodal edge").
MAX_SPAN_DEGREES = 10
EPSG_CODE = re.compile(r"^(EPSG:)?\d{4,6}$", re.IGNORECASE)
GEOD = Geod(ellps="WGS84")

# GEOS's reasons (shapely.explain_validity), in the words of the page.
INVALID_REASONS = {
    "Self-intersection": "边界自相交",
    "Ring Self-intersection": "边界在一点处与自身相接",
    "Too few points": "点数太少，围不成面",
    "Hole lies outside shell": "内环（洞）在外环之外",
    "Nested holes": "内环互相嵌套",
    "Interior is disconnected": "内部被分成互不相连的几块",
    "Nested shells": "多个面互相嵌套",
    "Duplicate Rings": "有重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环没有闭合",
}
WHERE = re.compile(r"^(?P<reason>[^\[]+)\[(?P<x>\S+) (?P<y>\S+)\]")


class PolygonError(ValueError):
    """A drawn area that cannot be used; field is the input it came in (geometry or crs)."""

    def __init__(self, message: str, *, field: str = "geometry"):
        super().__init__(message)
        self.field = field


def invalid_reason(geometry) -> str:
    """Why a shapely geometry is not valid, in Chinese, with where (in its own coordinates)."""
    text = explain_validity(geometry)
    match = WHERE.match(text)
    if not match:
        return f"几何无效：{text}"
    reason = match["reason"].strip()
    words = INVALID_REASONS.get(reason, reason)
    return f"{words}（在 {float(match['x']):.6f}, {float(match['y']):.6f} 附近）"


def _source_crs(crs: str | None) -> str:
    name = (crs or "").strip()
    if not name:
        return "EPSG:4326"
    if name.lower() not in CRS_NAMES and not EPSG_CODE.match(name):
        raise PolygonError(f"坐标系 {name[:40]!r} 无效（可用 {CRS_NAMES_TEXT} 或 EPSG 代码）", field="crs")
    try:
        return normalise_crs_name(name)
    except CRSError as exc:
        raise PolygonError(str(exc), field="crs") from exc


def _numbers(value, depth: int = 0):
    # A MultiPolygon's coordinates nest four deep; anything deeper is refused by shape().
    if isinstance(value, list | tuple) and depth < 4:
        for item in value:
            yield from _numbers(item, depth + 1)
    elif isinstance(value, float):
        yield value


def _shape(data):
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise PolygonError("范围不是有效的 GeoJSON") from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise PolygonError("范围应为 GeoJSON 面（Polygon 或 MultiPolygon）")
    bad = next((v for v in _numbers(data.get("coordinates")) if not math.isfinite(v)), None)
    if bad is not None:
        raise PolygonError(f"范围的坐标 {bad} 不是有限数")
    try:
        geometry = shapely.geometry.shape(data)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise PolygonError("范围的坐标无法解析（应为 [[[经度, 纬度], ...]]）") from exc
    if geometry.is_empty:
        raise PolygonError("范围为空")
    return geometry


def polygon_input(data, *, crs: str | None = None) -> MultiPolygon:
    """A drawn area (GeoJSON text or object) in WGS84; PolygonError says what is wrong."""
    source = _source_crs(crs)
    geometry = _shape(data)
    coordinates = shapely.get_coordinates(geometry)
    if len(coordinates) > MAX_VERTICES:
        raise PolygonError(f"范围顶点过多（{len(coordinates)} 个，至多 {MAX_VERTICES} 个）")
    try:
        drawn, geometry = geometry, geometries_to_wgs84([geometry], source)[0]
    except CoordinateError as exc:
        raise PolygonError(f"范围的{exc}") from None
    if not drawn.is_valid:
        raise PolygonError(f"范围无效：{invalid_reason(drawn)}；自相交的范围含义不明确，请重新绘制")
    x0, y0, x1, y1 = geometry.bounds
    if x1 - x0 > MAX_SPAN_DEGREES or y1 - y0 > MAX_SPAN_DEGREES:
        raise PolygonError(f"范围跨度过大（经度 {x1 - x0:.1f}°、纬度 {y1 - y0:.1f}°，"
                           f"至多 {MAX_SPAN_DEGREES}°）")
    square_metres = abs(GEOD.geometry_area_perimeter(geometry)[0])
    if not (math.isfinite(square_metres) and 0 < square_metres <= MAX_AREA_KM2 * 1e6):
        raise PolygonError(f"范围面积应在 0 到 {MAX_AREA_KM2} 平方公里之间")
    parts = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    multi = shapely.MultiPolygon([p for p in parts if not p.is_empty])
    return GEOSGeometry(memoryview(shapely.to_wkb(multi)), srid=4326)

