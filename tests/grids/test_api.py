"""The grid API: GeoJSON of the tree, point lookup, authentication."""

import json

import numpy as np
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridmap.geo import coords
from gridmap.grids.models import Grid

pytestmark = pytest.mark.django_db


def geojson(client, **params):
    response = client.get("/api/grids/", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


@pytest.fixture(scope="module")
def district_shapes(django_db_blocker):
    with django_db_blocker.unblock():
        outline = shapely.from_wkb(bytes(Grid.objects.get(level=0).geom.wkb))
        cells = {g.code: shapely.from_wkb(bytes(g.geom.wkb)) for g in Grid.objects.filter(level=2)}
    return outline, cells


def test_levels_and_properties(supervisor_client):
    level1 = geojson(supervisor_client, level=1)
    level2 = geojson(supervisor_client, level=2)
    assert len(level1["features"]) == 23 and len(level2["features"]) == 432
    cell = level2["features"][0]["properties"]
    assert {"code", "name", "level", "parent_code", "officers"} <= set(cell)
    assert cell["code"].startswith(cell["parent_code"] + "-")
    assert cell["officers"] and {"name", "username", "phone"} <= set(cell["officers"][0])
    assert {f["properties"]["parent_code"] for f in level1["features"]} == {"120118"}


def test_union_of_each_level_equals_the_outline(supervisor_client):
    outline = shapely.geometry.shape(geojson(supervisor_client, level=0)["features"][0]["geometry"])
    for level in (1, 2):
        shapes = [shapely.geometry.shape(f["geometry"])
                  for f in geojson(supervisor_client, level=level)["features"]]
        union = shapely.union_all(shapes)
        # Degrees² at 39°N: 1e-8 deg² is about 90 m²; GeoJSON keeps 6 decimals (~0.1 m).
        assert union.symmetric_difference(outline).area < 1e-8
        assert sum(s.area for s in shapes) == pytest.approx(outline.area, rel=1e-6)


def test_grid_list_is_one_query(supervisor_client):
    with CaptureQueriesContext(connection) as queries:
        geojson(supervisor_client, level=2)
    # Session/user lookups are done by authentication; the collection itself is one query.
    assert sum("FeatureCollection" in q["sql"] for q in queries.captured_queries) == 1
    assert len(queries.captured_queries) <= 3


def test_bad_level_is_400(supervisor_client):
    assert supervisor_client.get("/api/grids/", {"level": "x"}).status_code == 400


def test_anonymous_is_refused(api_client):
    assert api_client.get("/api/grids/").status_code in (401, 403)
    assert api_client.get("/api/grids/lookup/", {"lon": 116.9, "lat": 38.9}).status_code in (401, 403)


def test_token_login(api_client):
    response = api_client.post("/api/auth/token/", {"username": "supervisor", "password": "gridmap-demo"})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get("/api/grids/", {"level": 1}).status_code == 200
    bad = api_client.post("/api/auth/token/", {"username": "supervisor", "password": "wrong"})
    assert bad.status_code == 400


def test_token_login_refuses_a_username_longer_than_any(api_client):
    from axes.models import AccessAttempt

    response = api_client.post("/api/auth/token/", {"username": "x" * 300, "password": "wrong"})
    assert response.status_code == 400 and "username" in response.json()
    assert not AccessAttempt.objects.filter(username__startswith="xxx").exists()


def lookup(client, lon, lat, **extra):
    return client.get("/api/grids/lookup/", {"lon": lon, "lat": lat, **extra})


@pytest.fixture
def token_client(supervisor):
    from rest_framework.test import APIClient

    from gridmap.accounts.services import device_token_create

    client = APIClient()
    client.token_key = device_token_create(user=supervisor)[1]
    client.credentials(HTTP_AUTHORIZATION=f"Token {client.token_key}")
    return client


@pytest.fixture(params=["supervisor_client", "token_client"])
def lookup_client(request):
    """Both ways in: a token client is answered before DRF's request handling, any other
    (here a forced login, as a session) through it."""
    return request.getfixturevalue(request.param)


def test_lookup_agrees_with_point_in_polygon(lookup_client, district_shapes):
    outline, cells = district_shapes
    rng = np.random.default_rng(20191)
    minx, miny, maxx, maxy = outline.bounds
    points = shapely.points(rng.uniform(minx, maxx, 300), rng.uniform(miny, maxy, 300))
    tree = shapely.STRtree(list(cells.values()))
    codes = list(cells)
    inside = 0
    for point in points:
        response = lookup(lookup_client, point.x, point.y)
        expected = sorted(codes[i] for i in tree.query(point, predicate="covered_by"))
        if expected:
            inside += 1
            assert response.status_code == 200
            assert response.json()["code"] == expected[0]
        else:
            assert response.status_code == 404
    assert inside > 100


def test_lookup_payload(lookup_client, district_shapes):
    _, cells = district_shapes
    code, shape = next(iter(cells.items()))
    point = shape.representative_point()
    data = lookup(lookup_client, point.x, point.y).json()
    assert data["code"] == code and data["level"] == 2
    assert data["parent"]["code"] == code.split("-")[0]
    officer = data["officers"][0]
    assert get_user_model().objects.get(username=officer["username"]).phone == officer["phone"]


def test_lookup_on_a_shared_border_is_stable(supervisor_client, district_shapes):
    _, cells = district_shapes
    (a_code, a), (b_code, b) = [(c, s) for c, s in cells.items() if c.startswith("120118100-")][:2]
    border = None
    for code, shape in cells.items():
        if code != a_code and a.intersection(shape).length > 0:
            b_code, border = code, a.intersection(shape)
            break
    point = shapely.line_interpolate_point(shapely.line_merge(border), 0.5, normalized=True)
    answers = {lookup(supervisor_client, point.x, point.y).json()["code"] for _ in range(3)}
    assert answers == {min(a_code, b_code)}


def test_lookup_outside_the_district_is_404_with_a_message(lookup_client):
    response = lookup(lookup_client, 116.40, 39.90)
    assert response.status_code == 404
    assert "不在本区任何网格内" in response.json()["detail"]


@pytest.mark.parametrize("params", [
    {"lon": "abc", "lat": 38.9}, {"lon": 116.9}, {"lon": 200, "lat": 38.9},
    {"lon": 116.9, "lat": 38.9, "crs": "mars"}, {"lon": "nan", "lat": 38.9},
])
def test_malformed_coordinates_are_400(lookup_client, params):
    assert lookup_client.get("/api/grids/lookup/", params).status_code == 400


@pytest.mark.parametrize("crs,forward", [("gcj02", coords.wgs84_to_gcj02),
                                         ("bd09", coords.wgs84_to_bd09)])
def test_lookup_converts_amap_and_baidu_coordinates(lookup_client, district_shapes, crs, forward):
    _, cells = district_shapes
    code, shape = list(cells.items())[10]
    point = shape.representative_point()
    lon, lat = forward(point.x, point.y)
    data = lookup(lookup_client, float(lon), float(lat), crs=crs).json()
    assert data["code"] == code
    assert data["lon"] == pytest.approx(point.x, abs=1e-7)


def test_a_token_client_gets_the_same_answer_and_headers_as_drf_gives(token_client, supervisor_client,
                                                                      district_shapes):
    _, cells = district_shapes
    for shape in list(cells.values())[::40]:
        point = shape.representative_point()
        quick, full = lookup(token_client, point.x, point.y), lookup(supervisor_client, point.x, point.y)
        assert quick.status_code == full.status_code == 200
        assert quick.content == full.content
        assert {k: v for k, v in quick.items() if k != "Vary"} == {k: v for k, v in full.items() if k != "Vary"}
        assert quick.wsgi_request.user.username == "supervisor"


def test_the_token_path_reads_query_and_header_as_drf_does(token_client, supervisor_client, supervisor,
                                                          district_shapes, settings):
    """The token path parses the query string and the Authorization header itself: what it
    reads must be what DRF reads, and what it cannot read goes on to DRF."""
    _, cells = district_shapes
    inside, other = (shape.representative_point() for shape in list(cells.values())[:2])
    # Repeated names: the last one counts, as in Django's QueryDict.
    query = f"/api/grids/lookup/?lon={other.x}&lat={other.y}&lon={inside.x}&lat={inside.y}"
    quick, full = token_client.get(query), supervisor_client.get(query)
    assert quick.status_code == full.status_code == 200 and quick.content == full.content
    assert quick.json()["code"] == lookup(supervisor_client, inside.x, inside.y).json()["code"]
    # More fields than Django accepts: refused as Django refuses it, not answered.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    crowded = token_client.get(f"/api/grids/lookup/?lon={inside.x}&lat={inside.y}&a=1&b=2")
    assert crowded.status_code == supervisor_client.get(f"/api/grids/lookup/?lon={inside.x}&lat={inside.y}"
                                                         "&a=1&b=2").status_code == 400
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    key = token_client.token_key
    token_client.credentials(HTTP_AUTHORIZATION=f"token   {key}")  # DRF: any case, any spaces
    assert lookup(token_client, inside.x, inside.y).status_code == 200
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key} extra")
    assert lookup(token_client, inside.x, inside.y).status_code == 401


def test_a_bad_or_inactive_token_is_refused_on_the_lookup(api_client, district_shapes):
    from gridmap.accounts.services import device_token_create

    point = next(iter(district_shapes[1].values())).representative_point()
    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    refused = lookup(api_client, point.x, point.y)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Token"
    idle = get_user_model().objects.create_user("idle-officer", password="x-idle-42", is_active=False)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {device_token_create(user=idle)[1]}")
    assert lookup(api_client, point.x, point.y).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION="Bearer something")
    assert lookup(api_client, point.x, point.y).status_code == 401


def test_lookup_answers_from_memory(supervisor_client, district_shapes):
    _, cells = district_shapes
    points = [shape.representative_point() for shape in list(cells.values())[:20]]
    lookup(supervisor_client, points[0].x, points[0].y)
    with CaptureQueriesContext(connection) as queries:
        for point in points:
            assert lookup(supervisor_client, point.x, point.y).status_code == 200
    # Tests compare the data versions on every lookup (GRIDMAP_DATA_RECHECK_SECONDS = 0);
    # the cells themselves are not read again.
    assert not [q for q in queries.captured_queries if "grids_grid" in q["sql"]]


def test_grid_detail(supervisor_client):
    data = supervisor_client.get("/api/grids/120118108/").json()
    assert data["name"] == "大邱庄镇" and data["parent_code"] == "120118"
    assert supervisor_client.get("/api/grids/nope/").status_code == 404


def test_openapi_schema_and_docs(supervisor_client, client, supervisor):
    schema = supervisor_client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/grids/lookup/" in schema.content
    client.force_login(supervisor)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    for host in ("cdn.", "jsdelivr", "unpkg", "cdnjs", "googleapis"):
        assert host not in html


def _lookup_as(user, code: str, *, token: bool):
    from rest_framework.test import APIClient

    from gridmap.accounts.services import device_token_create
    from tests.factories import inside

    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {device_token_create(user=user)[1]}")
    else:
        client.force_authenticate(user)
    lon, lat = inside(code)
    response = lookup(client, lon, lat)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("token", [True, False], ids=["token", "drf"])
def test_the_lookup_shows_contacts_only_within_the_callers_scope(token, supervisor):
    """An officer looking up another town's cell learns who is on duty by name, never their
    username (lock-out is keyed on it) or phone; in their own cell, and for district-wide
    users everywhere, the contacts are given."""
    from gridmap.grids.models import GridAssignment
    from tests.factories import officer_of

    mine, other_town = "120118105-001", Grid.objects.filter(level=2).exclude(
        parent__code="120118105").order_by("code").first().code
    officer = officer_of(mine)
    elsewhere = _lookup_as(officer, other_town, token=token)
    assert elsewhere["officers"] and elsewhere["code"] == other_town
    for person in elsewhere["officers"]:
        assert set(person) == {"name", "role"}
    expected_names = sorted(GridAssignment.objects.filter(grid__code=other_town, role="cell_officer")
                            .values_list("user__full_name", flat=True))
    assert sorted(p["name"] for p in elsewhere["officers"] if p["role"] == "cell_officer") == expected_names
    own = _lookup_as(officer, mine, token=token)
    assert {"username", "phone"} <= set(own["officers"][0])
    district_wide = _lookup_as(supervisor, other_town, token=token)
    assert all({"username", "phone"} <= set(p) for p in district_wide["officers"])
    # A grid head sees the contacts of every cell of the town, and no other town's.
    head = GridAssignment.objects.filter(grid__code="120118105", role="town_supervisor").first().user
    assert "phone" in _lookup_as(head, "120118105-002", token=token)["officers"][0]
    assert "phone" not in _lookup_as(head, other_town, token=token)["officers"][0]
