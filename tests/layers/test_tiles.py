import math

import mapbox_vector_tile
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from gridmap.grids.models import GridAssignment
from layers.tiles import tile_bounds_wgs84

pytestmark = pytest.mark.django_db


def tile_of(lon, lat, z):
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def get_tile(client, name, z, x, y, **headers):
    return client.get(f"/tiles/{name}/{z}/{x}/{y}.mvt", **headers)


@pytest.mark.parametrize("z", [10, 12, 14])
def test_grid_tile_decodes_with_properties(supervisor_client, z):
    response = get_tile(supervisor_client, "grids-level2", *tile_of(116.97, 38.90, z))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content)
    features = decoded["grids-level2"]["features"]
    assert features and {"code", "name", "parent_code"} <= set(features[0]["properties"])
    assert "officers" not in features[0]["properties"]


def test_empty_tile_is_204(supervisor_client):
    assert get_tile(supervisor_client, "grids-level2", *tile_of(0.0, 0.0, 12)).status_code == 204


def test_tile_outside_the_tile_grid_is_404(supervisor_client):
    assert get_tile(supervisor_client, "grids-level2", 3, 9, 1).status_code == 404
    assert get_tile(supervisor_client, "nope", 3, 1, 1).status_code == 404


def test_tile_revalidates_with_etag(supervisor_client):
    z, x, y = tile_of(116.97, 38.90, 12)
    first = get_tile(supervisor_client, "district", z, x, y)
    assert first["ETag"]
    again = get_tile(supervisor_client, "district", z, x, y, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_tile_follows_the_scope_rule(api_client):
    officer = GridAssignment.objects.filter(grid__code="120118108-003", role="officer").first().user
    api_client.force_authenticate(officer)
    z, x, y = tile_of(117.0, 38.8, 10)
    decoded = mapbox_vector_tile.decode(get_tile(api_client, "grids-level2", z, x, y).content)
    codes = {f["properties"]["code"] for f in decoded.get("grids-level2", {}).get("features", [])}
    assert codes <= {"120118108-003"}


def test_tile_bounds_cover_the_tile():
    box = tile_bounds_wgs84(*tile_of(116.97, 38.90, 12))
    assert box.contains(box.centroid) and box.extent[0] < 116.97 < box.extent[2]


def test_cached_token_authentication(api_client):
    user = get_user_model().objects.get(username="flood")
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)
    cache.clear()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/layers/").status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api_client.get("/api/layers/").status_code in (401, 403)


def test_low_zoom_point_tiles_are_clustered_with_counts(supervisor_client):
    from gridmap.enterprises.models import Enterprise

    z, x, y = tile_of(116.97, 38.90, 6)
    assert (z, x, y) == tile_of(116.70, 38.58, 6) == tile_of(117.26, 39.08, 6)
    decoded = mapbox_vector_tile.decode(get_tile(supervisor_client, "enterprises", z, x, y).content)
    clusters = decoded["enterprises"]["features"]
    counts = sum(f["properties"]["cluster_count"] for f in clusters)
    # The whole district fits in this z6 tile: every enterprise is in exactly one cluster.
    assert counts == Enterprise.objects.count()
    assert len(clusters) < counts
    levels = {f["properties"]["risk_level"] for f in clusters}
    assert "major" in levels
    z, x, y = tile_of(116.995, 38.828, 15)
    detailed = mapbox_vector_tile.decode(get_tile(supervisor_client, "enterprises", z, x, y).content)
    assert all("cluster_count" not in f["properties"] for f in detailed.get("enterprises", {}).get("features", []))
