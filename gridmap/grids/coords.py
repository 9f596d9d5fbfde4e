"""Coordinate systems met in Chinese data: WGS84/CGCS2000, GCJ-02 (Amap) and BD-09 (Baidu).

GCJ-02 and BD-09 are not datums PROJ knows; they are the public obfuscation algorithms.
No maintained, vectorised package implements them, so they are written here with numpy.
The inverse has no closed form: it is solved by fixed-point iteration to well below 1 mm.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer

# Krasovsky 1940 ellipsoid parameters used by the public GCJ-02 algorithm.
GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323
BD_X_PI = np.pi * 3000.0 / 180.0

SPECIAL_CRS = {"gcj02", "bd09"}
CRS_ALIASES = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}


class CRSError(ValueError):
    pass


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


def normalise_crs_name(name: str | None) -> str | None:
    """'gcj02', 'bd09', or an 'EPSG:nnnn' string; None when not given."""
    if name is None or name == "":
        return None
    lowered = name.strip().lower().replace("-", "").replace("_", "")
    if lowered in SPECIAL_CRS:
        return lowered
    if lowered in CRS_ALIASES:
        return CRS_ALIASES[lowered]
    text = name.strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        CRS.from_user_input(text)
    except Exception as exc:
        raise CRSError(f"无法识别的坐标系 {name!r}（可用 EPSG 代码、wgs84、cgcs2000、gcj02、bd09）") from exc
    return text.upper()


def to_wgs84_arrays(lon, lat, source: str):
    """Convert coordinate arrays from a normalised CRS name to WGS84 lon/lat."""
    if source == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if source == "bd09":
        return bd09_to_wgs84(lon, lat)
    crs = CRS.from_user_input(source)
    if crs.equals(CRS.from_epsg(4326)):
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    transformer = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
    return transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def geometries_to_wgs84(geometries, source: str):
    """Convert shapely geometries (array-like) from a normalised CRS name to WGS84."""

    def convert(coords):
        lon, lat = to_wgs84_arrays(coords[:, 0], coords[:, 1], source)
        return np.column_stack([lon, lat])

    return shapely.transform(np.asarray(geometries, dtype=object), convert)
