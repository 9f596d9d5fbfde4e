"""Tiles and unfiltered layer GeoJSON run as statements prepared on the connection: the same
bytes as the statement run plainly, once PostgreSQL has switched to its generic plan too,
for every scope; the ORM's own statements are never prepared."""

import json
import math

import mapbox_vector_tile
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridmap.enterprises.models import Enterprise
from gridmap.grids.models import GridAssignment
from gridmap.grids.scope import scope_for
from layers import tiles
from layers.registry import get_layer

pytestmark = pytest.mark.django_db


def tile_of(lon, lat, z):
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def plain(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bytes(cursor.fetchone()[0] or b"")


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        return cursor.fetchall()


@pytest.fixture(autouse=True)
def fresh_caches():
    tiles.tile_cache.clear()
    tiles.compiled_sources.entries.clear()
    yield
    tiles.tile_cache.clear()
    tiles.compiled_sources.entries.clear()


@pytest.mark.parametrize("plan", ["auto", "force_generic_plan"])
@pytest.mark.parametrize("layer_name", ["grids-level2", "enterprises"])
@pytest.mark.parametrize("z", [6, 10, 12, 14])
def test_a_prepared_tile_is_the_plain_statements_tile(layer_name, z, plan, supervisor):
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL plan_cache_mode = {plan}")
    layer = get_layer(layer_name)
    z, x, y = tile_of(116.97, 38.90, z)
    compiled = tiles.compiled_sources.get(layer, scope_for(supervisor), lambda: layer.source(supervisor))
    sql, params = tiles.tile_sql_of_source(layer, *compiled, z, x, y)
    expected = plain(sql, params)
    assert expected
    # Under "auto" PostgreSQL plans the first five runs for their values, then may keep a
    # generic plan; the tile must not change when it does.
    assert {tiles.run_tile_sql(sql, params, prepare=True) for _ in range(8)} == {expected}
    assert [s for s, _ in prepared_statements() if "ST_AsMVT" in s and "$1" in s]


def test_an_officers_prepared_tile_holds_only_their_cell(api_client):
    officer = GridAssignment.objects.filter(grid__code="120118108-003", role="cell_officer").first().user
    api_client.force_authenticate(officer)
    url = "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(117.0, 38.8, 10))
    for _ in range(7):
        tiles.tile_cache.clear()
        response = api_client.get(url)
        decoded = mapbox_vector_tile.decode(response.content)
        assert {f["properties"]["code"] for f in decoded["grids-level2"]["features"]} == {"120118108-003"}


def test_prepared_statements_are_logged_like_any_query(supervisor_client):
    url = "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(116.97, 38.90, 12))
    with CaptureQueriesContext(connection) as queries:
        assert supervisor_client.get(url).status_code == 200
    assert any("ST_AsMVT" in query["sql"] for query in queries.captured_queries)


def test_orm_statements_are_not_prepared():
    for _ in range(10):
        list(Enterprise.objects.filter(name__startswith="x").values_list("id"))
    assert not any("enterprises_enterprise" in statement and "ST_As" not in statement
                   for statement, _ in prepared_statements())


def test_layer_geojson_is_the_same_prepared_or_not(supervisor_client):
    bodies = {supervisor_client.get("/api/layers/grids-level2.geojson").content for _ in range(7)}
    assert len(bodies) == 1
    collection = json.loads(bodies.pop())
    assert collection["type"] == "FeatureCollection" and collection["features"]
    assert any("FeatureCollection" in statement for statement, _ in prepared_statements())


def test_small_tiles_run_one_generic_plan_and_wide_ones_are_planned_each_time(supervisor_client):
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"  # only prepared statements follow it

    def generic_runs(z):
        tolerance = f"{tiles.pixel_size_m(z) / 2:.6f}"  # a zoom's statement holds its own
        return [generic for statement, generic in prepared_statements()
                if "ST_AsMVT" in statement and tolerance in statement]

    small, wide = tiles.PREPARE_FROM_ZOOM + 4, tiles.PREPARE_FROM_ZOOM - 4
    before = sum(generic_runs(small))
    for z in (small, wide):
        for _ in range(3):
            tiles.tile_cache.clear()
            url = "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(116.97, 38.90, z))
            assert supervisor_client.get(url).status_code == 200
    assert sum(generic_runs(small)) == before + 3
    assert generic_runs(wide) == []
