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
    officer = GridAssignment.objects.filter(grid__code="120118108-003", role="cell_officer").first().user
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
    from gridmap.accounts.services import device_token_create

    key = device_token_create(user=user)[1]
    cache.clear()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
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


def officer_of(code="120118108-003"):
    return GridAssignment.objects.filter(grid__code=code, role="cell_officer").first().user


def token_for(user):
    from gridmap.accounts.services import device_token_create

    return device_token_create(user=user)[1]


def grid_codes(response):
    decoded = mapbox_vector_tile.decode(response.content)
    return {f["properties"]["code"] for f in decoded.get("grids-level2", {}).get("features", [])}


TILE_HEADERS = ("Content-Type", "ETag", "Cache-Control", "Vary", "Allow")


@pytest.mark.parametrize("how", ["token", "session"])
def test_a_plain_tile_request_answers_as_drf_does(client, how, supervisor, monkeypatch):
    """A whole tile for a signed-in user or a token is answered before DRF; a query string
    (here one the layer ignores) sends the same request through DRF: same body, same headers."""
    from rest_framework.views import APIView

    from layers import tiles

    wrapped = []
    initialize_request = APIView.initialize_request
    monkeypatch.setattr(APIView, "initialize_request",
                        lambda self, request, *a, **k: wrapped.append(request.path)
                        or initialize_request(self, request, *a, **k))

    if how == "token":
        headers = {"HTTP_AUTHORIZATION": f"Token {token_for(supervisor)}"}
    else:
        client.force_login(supervisor)
        headers = {}
    url = "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(116.97, 38.90, 12))
    plain = client.get(url, **headers)
    tiles.tile_cache.clear()
    through_drf = client.get(url + "?via=drf", **headers)
    assert plain.status_code == through_drf.status_code == 200
    assert wrapped == [url]  # only the request with a query went through DRF
    assert plain.content == through_drf.content and grid_codes(plain)
    assert {h: plain[h] for h in TILE_HEADERS} == {h: through_drf[h] for h in TILE_HEADERS}
    assert get_tile(client, "grids-level2", *tile_of(116.97, 38.90, 12), HTTP_IF_NONE_MATCH=plain["ETag"],
                    **headers).status_code == 304


@pytest.mark.parametrize("how", ["token", "session"])
def test_a_plain_tile_request_follows_the_scope_rule(client, how):
    officer = officer_of()
    if how == "token":
        headers = {"HTTP_AUTHORIZATION": f"Token {token_for(officer)}"}
    else:
        client.force_login(officer)
        headers = {}
    response = get_tile(client, "grids-level2", *tile_of(117.0, 38.8, 10), **headers)
    assert response.status_code == 200 and grid_codes(response) == {"120118108-003"}


def test_a_refused_token_is_refused_even_with_a_session(client, supervisor):
    client.force_login(supervisor)
    response = get_tile(client, "grids-level2", *tile_of(116.97, 38.90, 12), HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401


def test_an_inactive_users_token_gets_no_tile(client):
    officer = officer_of()
    key = token_for(officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    from gridmap.accounts import authentication

    authentication._remembered.clear()
    response = get_tile(client, "grids-level2", *tile_of(117.0, 38.8, 10), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401


def test_plain_tile_requests_are_refused_what_drf_refuses(client):
    z, x, y = tile_of(116.97, 38.90, 12)
    assert get_tile(client, "grids-level2", z, x, y).status_code in (401, 403)
    client.force_login(officer_of())
    assert get_tile(client, "coverage", z, x, y).status_code == 404  # supervisors' layer
    assert get_tile(client, "grids-level2", 3, 9, 1).status_code == 404


def test_a_kept_tile_for_a_remembered_session_reads_nothing(client, settings, django_assert_num_queries):
    """A browser's second tile: the session's user, their role and scope and the tile all
    from memory while the tables they come from are unchanged."""
    from gridmap.core import versions

    settings.GRIDMAP_DATA_RECHECK_SECONDS = 3600
    versions.forget()
    client.force_login(officer_of())
    url = "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(117.0, 38.8, 10))
    assert grid_codes(client.get(url)) == {"120118108-003"}
    with django_assert_num_queries(0):
        assert grid_codes(client.get(url)) == {"120118108-003"}


def test_a_role_taken_away_takes_effect_on_the_next_request(client, supervisor):
    from django.contrib.auth.models import Group

    client.force_login(supervisor)
    url = "/tiles/grids-level2/{}/{}/{}.mvt".format(*tile_of(117.0, 38.8, 10))
    assert len(grid_codes(client.get(url))) > 1
    supervisor.groups.add(Group.objects.get(name="grid_officer"))
    supervisor.groups.remove(Group.objects.get(name="bureau_staff"))
    assert client.get(url).status_code == 204  # no assignment of their own: an empty tile
