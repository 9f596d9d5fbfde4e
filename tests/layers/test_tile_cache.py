"""Vector tiles kept in memory: served again without a query, never to another scope, and
made anew once a table they are made of changes."""

import math

import mapbox_vector_tile
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridmap.enterprises.models import Enterprise, RiskPoint
from gridmap.grids.models import Grid, GridAssignment
from layers import tiles
from layers.tiles import TileCache, compiled_sources, tile_cache

pytestmark = pytest.mark.django_db


def tile_of(lon, lat, z):
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def codes_in(response, layer="grids-level2"):
    decoded = mapbox_vector_tile.decode(response.content)
    return {f["properties"]["code"] for f in decoded.get(layer, {}).get("features", [])}


@pytest.fixture(autouse=True)
def empty_cache():
    tile_cache.clear()
    compiled_sources.entries.clear()
    yield
    tile_cache.clear()
    compiled_sources.entries.clear()


def test_a_kept_tile_is_served_without_the_tile_query(supervisor_client):
    url = "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(116.97, 38.90, 12))
    first = supervisor_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        second = supervisor_client.get(url)
    assert second.status_code == 200 and second.content == first.content and second["ETag"] == first["ETag"]
    assert not [q for q in queries.captured_queries if "ST_AsMVT" in q["sql"]]


def test_a_tile_kept_for_the_district_is_not_served_to_an_officer(supervisor_client, api_client):
    z, x, y = tile_of(117.0, 38.8, 10)
    url = f"/tiles/grids-level2/{z}/{x}/{y}.mvt"
    assert len(codes_in(supervisor_client.get(url))) > 1
    officer = GridAssignment.objects.filter(grid__code="120118108-003", role="cell_officer").first().user
    api_client.force_authenticate(officer)
    assert codes_in(api_client.get(url)) <= {"120118108-003"}


def test_a_grid_change_makes_the_tile_anew(supervisor_client):
    cell = Grid.objects.get(code="120118108-003")
    point = cell.geom.point_on_surface
    url = "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(point.x, point.y, 14))
    names = lambda response: {f["properties"]["name"] for f in  # noqa: E731
                              mapbox_vector_tile.decode(response.content)["grids-level2"]["features"]}
    assert cell.name in names(supervisor_client.get(url))
    Grid.objects.filter(pk=cell.pk).update(name="改名后的网格")
    assert "改名后的网格" in names(supervisor_client.get(url))


def test_a_new_risk_point_makes_the_enterprise_tile_anew(supervisor_client):
    enterprise = Enterprise.objects.filter(location__isnull=False).order_by("pk").first()
    url = "/tiles/enterprises/{}/{}/{}.mvt".format(*tile_of(enterprise.location.x, enterprise.location.y, 15))

    def point_count():
        features = mapbox_vector_tile.decode(supervisor_client.get(url).content)["enterprises"]["features"]
        return next(f["properties"]["point_count"] for f in features
                    if f["properties"]["credit_code"] == enterprise.credit_code)

    before = point_count()
    template = RiskPoint.objects.filter(enterprise=enterprise).first() or RiskPoint.objects.first()
    template.pk, template.enterprise, template.number = None, enterprise, 999
    template.save()
    assert point_count() == before + 1


def test_filtered_tiles_are_not_kept(supervisor_client):
    url = "/tiles/grids-level2/{}/{}/{}.mvt?parent=120118108".format(*tile_of(117.0, 38.8, 10))
    assert supervisor_client.get(url).status_code in (200, 204)
    assert not tile_cache.entries


def test_memory_is_bounded_least_recently_used_first_out():
    cache = TileCache(max_bytes=10)
    cache.put(("a",), (1,), b"12345")
    cache.put(("b",), (1,), b"12345")
    assert cache.get(("a",), (1,)) == b"12345"
    cache.put(("c",), (1,), b"123")
    assert cache.get(("b",), (1,)) is None and cache.get(("a",), (1,)) and cache.get(("c",), (1,))
    assert cache.size <= 10
    assert cache.get(("a",), (2,)) is None
    cache.put(("big",), (1,), b"x" * 11)
    assert cache.get(("big",), (1,)) is None


def test_a_layer_is_compiled_once_per_scope_and_day(supervisor_client, api_client, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    compiled = []
    real = tiles.COMPILE["tile"]
    monkeypatch.setitem(tiles.COMPILE, "tile", lambda *args: compiled.append(args[0].name) or real(*args))
    cell = Grid.objects.get(code="120118108-003")
    point = cell.geom.point_on_surface
    url = lambda z: "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(point.x, point.y, z))  # noqa: E731
    for z in (10, 12, 14):
        assert supervisor_client.get(url(z)).status_code == 200
    assert compiled == ["grids-level2"]
    # Another scope never gets the district's SQL: the officer's own tiles show their cell only.
    officer = GridAssignment.objects.filter(grid=cell, role="cell_officer").first().user
    api_client.force_authenticate(officer)
    for z in (10, 13):
        assert codes_in(api_client.get(url(z))) == {cell.code}
    assert compiled == ["grids-level2", "grids-level2"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    supervisor_client.get(url(11))
    assert compiled == ["grids-level2"] * 3
