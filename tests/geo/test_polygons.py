"""One polygon input with one policy, for the flood analysis and the inspection area alike:
a drawn area that crosses itself is refused, saying where; limits and CRS checked once."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pyproj import Geod
from rest_framework.test import APIClient
from shapely.geometry import shape

from gridmap.geo.coords import wgs84_to_gcj02
from gridmap.geo.polygons import MAX_AREA_KM2, MAX_VERTICES, PolygonError, polygon_input

SQUARE = {"type": "Polygon", "coordinates": [[
    [116.90, 38.90], [116.95, 38.90], [116.95, 38.94], [116.90, 38.94], [116.90, 38.90]]]}
# The square's corners joined crosswise: its edges cross at (116.925, 38.92).
BOWTIE = {"type": "Polygon", "coordinates": [[
    [116.90, 38.90], [116.95, 38.94], [116.95, 38.90], [116.90, 38.94], [116.90, 38.90]]]}


def test_a_square_comes_back_as_the_same_multipolygon():
    area = polygon_input(json.dumps(SQUARE))
    assert area.geom_type == "MultiPolygon" and area.srid == 4326
    assert shape(json.loads(area.geojson)).equals(shape(SQUARE))


def test_a_feature_and_gcj02_are_accepted_and_converted():
    lon, lat = zip(*SQUARE["coordinates"][0], strict=True)
    glon, glat = wgs84_to_gcj02(list(lon), list(lat))
    gcj = {"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[float(x), float(y)] for x, y in zip(glon, glat, strict=True)]]}}
    area = polygon_input(gcj, crs="gcj02")
    assert shape(json.loads(area.geojson)).symmetric_difference(shape(SQUARE)).area < 1e-12


def test_a_bowtie_is_refused_saying_it_crosses_itself_and_where():
    with pytest.raises(PolygonError, match=r"自相交.*116\.925000, 38\.920000") as caught:
        polygon_input(BOWTIE)
    assert caught.value.field == "geometry"


@pytest.mark.parametrize(("data", "crs", "field", "words"), [
    ("not json", None, "geometry", "GeoJSON"),
    ({"type": "Point", "coordinates": [116.9, 38.9]}, None, "geometry", "Polygon"),
    ({"type": "Polygon", "coordinates": [[[1, 2]]]}, None, "geometry", "无法解析"),
    ({"type": "Polygon", "coordinates": "x"}, None, "geometry", "无法解析"),
    ({"type": "Polygon", "coordinates": [[[500, 38], [501, 38], [501, 39], [500, 38]]]}, None, "geometry",
     "超出经纬度范围"),
    ('{"type": "Polygon", "coordinates": [[[NaN, 38], [117, 38], [117, 39], [NaN, 38]]]}', None, "geometry",
     "不是有限数"),
    ({"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]]},
     None, "geometry", "跨度过大"),
    ({"type": "Polygon", "coordinates": [[[116, 38], [118, 38], [118, 40], [116, 38]]]}, None, "geometry",
     f"{MAX_AREA_KM2} 平方公里"),
    (SQUARE, "mars", "crs", "坐标系"),
    (SQUARE, "+proj=longlat +datum=WGS84 +no_defs", "crs", "坐标系"),
    (SQUARE, "EPSG:999999", "crs", "坐标系"),
])
def test_bad_areas_name_the_field(data, crs, field, words):
    with pytest.raises(PolygonError, match=words) as caught:
        polygon_input(data, crs=crs)
    assert caught.value.field == field


def test_too_many_vertices():
    ring = [[116.9 + 0.04 * i / MAX_VERTICES, 38.9] for i in range(MAX_VERTICES)] + [[116.95, 38.95], [116.9, 38.9]]
    with pytest.raises(PolygonError, match="顶点过多"):
        polygon_input({"type": "Polygon", "coordinates": [ring]})


@pytest.mark.django_db
def test_flood_and_inspections_refuse_the_same_bowtie():
    users = get_user_model().objects
    flood = APIClient()
    flood.force_authenticate(users.get(username="flood"))
    answer = flood.post("/api/flood/exposure/", {"geometry": BOWTIE}, format="json")
    assert answer.status_code == 400 and "自相交" in answer.json()["geometry"][0]
    supervisor = APIClient()
    supervisor.force_authenticate(users.get(username="supervisor"))
    answer = supervisor.post("/api/inspections/area/enterprises/", {"polygon": BOWTIE}, format="json")
    assert answer.status_code == 400 and "自相交" in answer.json()["polygon"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field"), [
    ({"geometry": json.dumps({"type": "Polygon", "coordinates": [
        [[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]]})}, "geometry"),
    ({"geometry": json.dumps(SQUARE), "crs": "+proj=longlat +datum=WGS84 +no_defs"}, "crs"),
    ({"geometry": json.dumps(BOWTIE)}, "geometry"),
])
def test_the_exposure_page_answers_400_naming_the_field(query, field):
    client = Client()
    client.force_login(get_user_model().objects.get(username="flood"))
    for url in ("/flood/exposure/", "/flood/exposure.pdf"):
        answer = client.get(url, query)
        assert answer.status_code == 400 and answer.content.decode().startswith(f"{field}：")


def test_the_area_limit_is_geodesic():
    area = polygon_input(SQUARE)
    expected = abs(Geod(ellps="WGS84").geometry_area_perimeter(shape(SQUARE))[0])
    assert 0 < expected < MAX_AREA_KM2 * 1e6 and area.valid
