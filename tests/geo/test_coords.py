import numpy as np
import pytest
from pyproj import Geod

from gridmap.geo import coords

GEOD = Geod(ellps="WGS84")
JINGHAI = (116.97, 38.93)


def distance_m(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def test_gcj02_offset_near_jinghai_is_about_half_a_kilometre():
    gcj = coords.wgs84_to_gcj02(*JINGHAI)
    assert 300 < distance_m(JINGHAI, gcj) < 700


def test_bd09_offset_near_jinghai_is_about_1_3_km():
    bd = coords.wgs84_to_bd09(*JINGHAI)
    assert 1000 < distance_m(JINGHAI, bd) < 1600


@pytest.mark.parametrize("forward,inverse", [
    (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84),
    (coords.wgs84_to_bd09, coords.bd09_to_wgs84),
])
def test_round_trip_is_below_a_millimetre(forward, inverse):
    rng = np.random.default_rng(7)
    lon = rng.uniform(116.70, 117.25, 500)
    lat = rng.uniform(38.58, 39.07, 500)
    back_lon, back_lat = inverse(*forward(lon, lat))
    worst = max(distance_m((a, b), (c, d)) for a, b, c, d in zip(lon, lat, back_lon, back_lat, strict=True))
    assert worst < 0.001


@pytest.mark.parametrize("name,expected", [
    ("wgs84", "EPSG:4326"), ("CGCS2000", "EPSG:4490"), ("4548", "EPSG:4548"),
    ("epsg:4326", "EPSG:4326"), ("GCJ-02", "gcj02"), ("bd09", "bd09"), (None, None),
])
def test_crs_names(name, expected):
    assert coords.normalise_crs_name(name) == expected


def test_unknown_crs_is_refused():
    with pytest.raises(coords.CRSError):
        coords.normalise_crs_name("not-a-crs")
