"""Coordinate systems met in Chinese data: WGS84/CGCS2000, GCJ-02 (Amap) and BD-09 (Baidu).

GCJ-02 and BD-09 are not datums PROJ knows; they are the public obfuscation algorithms.
No maintained, vectorised package implements them, so they are written here with numpy.
The inverse has no closed form: it is solved by fixed-point iteration to well below 1 mm.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import shapely
from pyproj import CRS, Transformer

# Krasovsky 1940 ellipsoid parameters used by the public GCJ-02 algorithm.
GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323
BD_X_PI = np.pi * 3000.0 / 180.0

# The coordinate systems a user may name, with the labels every form, serializer, importer
# and page offers: the only place these names are spelled.
CRS_CHOICES = (
    ("wgs84", "WGS84（GPS、天地图）"),
    ("cgcs2000", "CGCS2000（国家 2000）"),
    ("gcj02", "GCJ-02（高德）"),
    ("bd09", "BD-09（百度）"),
)
CRS_NAMES = tuple(name for name, _ in CRS_CHOICES)
DEFAULT_CRS = CRS_NAMES[0]
# Named datums PROJ knows; CGCS2000 differs from WGS84 by centimetres, below what a drawn or
# GPS position carries, so points in it are taken as WGS84.
CRS_ALIASES = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}
LONLAT_CRS = tuple(CRS_ALIASES)
# The public obfuscation algorithms (Amap, Baidu), converted here rather than by PROJ.
OBFUSCATED_CRS = tuple(name for name in CRS_NAMES if name not in CRS_ALIASES)
# For command help and error messages: "wgs84、cgcs2000、gcj02、bd09".
CRS_NAMES_TEXT = "、".join(CRS_NAMES)


class CRSError(ValueError):
    pass


class CoordinateError(ValueError):
    """A coordinate that is no place on Earth; index is the position of the first one (of the
    point, or of the geometry) in what was given."""

    def __init__(self, message: str, index: int = 0):
        super().__init__(message)
        self.index = index


def lonlat_problem(lon: float, lat: float) -> str | None:
    """Why a longitude/latitude pair is no place on Earth (not finite, or out of range)."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"坐标 ({lon}, {lat}) 不是有限数"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"坐标 ({lon:g}, {lat:g}) 超出经纬度范围（经度 -180～180，纬度 -90～90）"
    return None


def check_coordinates(lon, lat, *, lonlat: bool = True) -> None:
    """Refuse the first coordinate that is not finite (or, for longitude/latitude, out of range)."""
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    good = np.isfinite(lon) & np.isfinite(lat)
    if lonlat:
        good &= (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if not good.all():
        index = int(np.argmin(good))
        x, y = float(lon[index]), float(lat[index])
        raise CoordinateError(lonlat_problem(x, y) or f"坐标 ({x}, {y}) 不是有限数", index)


@functools.lru_cache(maxsize=64)
def _is_lonlat(source: str) -> bool:
    return source in OBFUSCATED_CRS or source in LONLAT_CRS or CRS.from_user_input(source).is_geographic


def _delta(lon, lat):
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - GCJ_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (GCJ_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat):
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < 1e-10) and np.all(np.abs(elat) < 1e-10):
            break
    return wlon, wlat


def bd09_to_gcj02(lon, lat):
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * BD_X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    # The published inverse is approximate (about 5 cm off); refine it against the forward.
    for _ in range(10):
        blon, blat = gcj02_to_bd09(glon, glat)
        glon, glat = glon - (blon - lon), glat - (blat - lat)
    return glon, glat


def gcj02_to_bd09(lon, lat):
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def offered_crs(name) -> str:
    """A coordinate system a form or the API offers (one of CRS_NAMES); CRSError otherwise."""
    if name not in CRS_NAMES:
        raise CRSError(f"坐标系 {str(name)[:40]!r} 无效（可用 {CRS_NAMES_TEXT}）")
    return name


def normalise_crs_name(name: str | None) -> str | None:
    """'gcj02', 'bd09', or an 'EPSG:nnnn' string; None when not given."""
    if name is None or name == "":
        return None
    lowered = name.strip().lower().replace("-", "").replace("_", "")
    if lowered in OBFUSCATED_CRS:
        return lowered
    if lowered in CRS_ALIASES:
        return CRS_ALIASES[lowered]
    text = name.strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        CRS.from_user_input(text)
    except Exception as exc:
        raise CRSError(f"无法识别的坐标系 {name!r}（可用 EPSG 代码、{CRS_NAMES_TEXT}）") from exc
    return text.upper()


def to_wgs84_arrays(lon, lat, source: str):
    """Convert coordinate arrays from a CRS name (one of CRS_NAMES or a normalised name) to
    WGS84 lon/lat; CoordinateError names the first point that is not finite or, in or after
    conversion, not a longitude/latitude."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    check_coordinates(lon, lat, lonlat=_is_lonlat(source))
    if source in LONLAT_CRS:
        return lon, lat
    if source == "gcj02":
        converted = gcj02_to_wgs84(lon, lat)
    elif source == "bd09":
        converted = bd09_to_wgs84(lon, lat)
    else:
        crs = CRS.from_user_input(source)
        if crs.equals(CRS.from_epsg(4326)):
            return lon, lat
        transformer = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
        converted = transformer.transform(lon, lat)
    try:
        check_coordinates(*converted)
    except CoordinateError as exc:
        raise CoordinateError(f"换算为 WGS84 后{exc}", exc.index) from None
    return converted


def geometries_to_wgs84(geometries, source: str):
    """Convert shapely geometries (array-like) from a normalised CRS name to WGS84;
    CoordinateError's index is the position of the geometry holding the bad coordinate."""
    geometries = np.asarray(geometries, dtype=object)
    coords, owner = shapely.get_coordinates(geometries, return_index=True)
    try:
        lon, lat = to_wgs84_arrays(coords[:, 0], coords[:, 1], source)
    except CoordinateError as exc:
        raise CoordinateError(str(exc), int(owner[exc.index])) from None
    return shapely.set_coordinates(geometries.copy(), np.column_stack([lon, lat]))
