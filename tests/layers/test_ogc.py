"""OGC API – Features under /ogc/ (issue 22): the standard's documents, the scope rule, bbox
by intersection, paging that reaches every feature once, CRS by reference, and GDAL's OAPIF
driver against a live server."""

import json
import os
import re
import subprocess
from urllib.parse import parse_qs, urlparse

import pytest
import shapely
from django.contrib.gis.geos import Polygon
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gridmap.flood.events.models import SituationReport
from gridmap.grids.models import Grid
from layers.registry import get_layer, layers_for
from tests.browser.conftest import live_site  # noqa: F401  (a threaded server on the test database)
from tests.factories import officer_of
from tests.test_server import committed_token  # noqa: F401  (a supervisor's token the server sees)

pytestmark = pytest.mark.django_db
OGRINFO = "/usr/bin/ogrinfo"
CELL = "120118108-001"


def api(user=None) -> APIClient:
    client = APIClient(HTTP_HOST="localhost")
    if user is not None:
        client.force_authenticate(user)
    return client


def items(client, layer: str, **params) -> dict:
    response = client.get(f"/ogc/collections/{layer}/items", params, HTTP_ACCEPT="application/geo+json")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def read_all(client, layer: str, limit: int, **params) -> list[dict]:
    """Every feature by following `next` links from the first page."""
    body = items(client, layer, limit=limit, **params)
    features, matched = list(body["features"]), body["numberMatched"]
    while nexts := [link["href"] for link in body["links"] if link["rel"] == "next"]:
        query = {k: v[0] for k, v in parse_qs(urlparse(nexts[0]).query).items()}
        body = items(client, layer, **query)
        assert body["numberMatched"] == matched
        features += body["features"]
    if "after" not in params:
        assert len(features) == matched
    return features


def test_landing_conformance_and_api_are_open():
    anonymous = api()
    landing = anonymous.get("/ogc/", HTTP_ACCEPT="application/json").json()
    rels = {link["rel"]: link["href"] for link in landing["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["data"].startswith("http://localhost/ogc/collections")
    conformance = anonymous.get("/ogc/conformance", {"f": "json"}).json()["conformsTo"]
    assert {c.rsplit("/", 1)[1] for c in conformance} == {"core", "geojson", "html", "oas30", "crs"}
    response = anonymous.get("/ogc/api")
    assert response["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.0.") and document["servers"][0]["url"] == "http://localhost/ogc"
    for path, item in document["paths"].items():
        operation = item["get"]
        assert operation["responses"]["200"]["content"], path
        for parameter in operation.get("parameters", []):
            assert {"name", "in", "schema"} <= set(parameter), path
            assert parameter["in"] == "query" or "{" + parameter["name"] + "}" in path, path
    limit = next(p for p in document["paths"]["/collections/grids-level2/items"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert limit["schema"]["default"] == 100 and limit["schema"]["maximum"] == 10000
    names = {p["name"] for p in document["paths"]["/collections/grids-level2/items"]["get"]["parameters"]}
    assert {"bbox", "bbox-crs", "crs", "limit", "parent", "code"} <= names and "datetime" not in names
    assert "datetime" in {p["name"] for p in document["paths"]["/collections/patrols/items"]["get"]["parameters"]}


def test_collections_and_items_need_sign_in():
    anonymous = api()
    for url in ("/ogc/collections", "/ogc/collections/grids-level2", "/ogc/collections/grids-level2/items",
                "/ogc/collections/grids-level2/items/1"):
        response = anonymous.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Token"), url
        page = Client(HTTP_HOST="localhost").get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 302 and "/accounts/login/" in page["Location"], url
    refused = api().get("/ogc/collections", HTTP_AUTHORIZATION="Token not-a-token", HTTP_ACCEPT="application/json")
    assert refused.status_code == 401
    for url in ("/ogc/", "/ogc/conformance", "/ogc/api"):  # open, for a person too
        assert Client(HTTP_HOST="localhost").get(url, HTTP_ACCEPT="text/html").status_code == 200, url


def test_collections_are_the_layers_the_user_may_see(supervisor):
    officer = officer_of(CELL)
    for user in (supervisor, officer):
        body = api(user).get("/ogc/collections", {"f": "json"}).json()
        assert [c["id"] for c in body["collections"]] == [layer.name for layer in layers_for(user)]
    officer_ids = {c["id"] for c in api(officer).get("/ogc/collections", {"f": "json"}).json()["collections"]}
    assert "coverage" not in officer_ids and "flood-zones" not in officer_ids
    assert api(officer).get("/ogc/collections/coverage", {"f": "json"}).status_code == 404
    assert api(officer).get("/ogc/collections/coverage/items", {"f": "json"}).status_code == 404
    grids = api(supervisor).get("/ogc/collections/grids-level2", {"f": "json"}).json()
    assert grids["id"] == "grids-level2" and grids["itemType"] == "feature"
    assert grids["storageCrs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert "http://www.opengis.net/def/crs/EPSG/0/4490" in grids["crs"]
    west, south, east, north = grids["extent"]["spatial"]["bbox"][0]
    assert 116 < west < east < 118 and 38 < south < north < 40
    assert {link["rel"] for link in grids["links"]} >= {"self", "alternate", "items"}


@pytest.mark.parametrize("username", ["supervisor", "officer"])
def test_level2_count_equals_the_grid_api(supervisor, username):
    user = supervisor if username == "supervisor" else officer_of(CELL)
    expected = len(api(user).get("/api/grids/", {"level": 2}).json()["features"])
    body = items(api(user), "grids-level2", limit=1)
    assert body["numberMatched"] == expected and body["numberReturned"] == 1
    assert (expected == 1) == (username == "officer")


def test_paging_reaches_every_feature_of_every_layer_once(supervisor):
    client = api(supervisor)
    for layer in layers_for(supervisor):
        expected = set(layer.source(supervisor).values_list("id", flat=True))
        limit = max(7, len(expected) // 4 + 1)  # several pages each
        features = read_all(client, layer.name, limit)
        ids = [f["id"] for f in features]
        assert ids == sorted(set(ids)), layer.name  # ordered by id, none twice
        assert set(ids) == expected, layer.name


def test_paging_survives_a_change_between_pages(supervisor):
    """A feature removed while a client pages moves no other across a page boundary."""
    client = api(supervisor)
    first = items(client, "grids-level2", limit=5, parent="120118108")
    seen = [f["id"] for f in first["features"]]
    Grid.objects.filter(pk=seen[0]).update(parent=Grid.objects.get(code="120118109"))
    after = [link["href"] for link in first["links"] if link["rel"] == "next"][0]
    rest = read_all(client, "grids-level2", 5, **{k: v[0] for k, v in parse_qs(urlparse(after).query).items()
                                                    if k != "limit"})
    expected = set(Grid.objects.filter(parent__code="120118108", level=2).values_list("id", flat=True))
    assert set(seen[1:]) | {f["id"] for f in rest} == expected and not set(seen) & {f["id"] for f in rest}


def test_limit_default_max_and_refusals(supervisor):
    client = api(supervisor)
    assert items(client, "enterprises")["numberReturned"] == 100
    assert items(client, "enterprises", limit=20000)["numberReturned"] == min(10000, get_layer("enterprises").source(
        supervisor).count())
    for params in ({"limit": "0"}, {"limit": "x"}, {"bbox": "1,2,3"}, {"bbox": "117,39,116,38"}, {"crs": "EPSG:3857"},
                   {"datetime": "yesterday"}, {"nonsense": "1"}, {"after": "x"}):
        response = client.get("/ogc/collections/enterprises/items", params, HTTP_ACCEPT="application/json")
        assert response.status_code == 400, params


def cells_intersecting(box) -> set[int]:
    """The truth, from the cells' full-precision geometries through shapely (not PostGIS)."""
    target = shapely.box(*box)
    return {pk for pk, geom in Grid.objects.filter(level=2).values_list("id", "geom")
            if shapely.intersects(shapely.from_wkb(bytes(geom.wkb)), target)}


def bbox_ids(client, box, **params) -> set[int]:
    return {f["id"] for f in read_all(client, "grids-level2", 1000, bbox=",".join(repr(v) for v in box), **params)}


def test_bbox_touching_an_edge_counts(supervisor):
    cell = Grid.objects.get(code=CELL)
    polygon = shapely.from_wkb(bytes(cell.geom.wkb))
    # The cell's easternmost vertex: a box to its east touches the cell there and nowhere else.
    x, y = max(shapely.get_coordinates(polygon).tolist())
    box = (x, y - 0.0005, x + 0.001, y + 0.0005)
    assert shapely.touches(polygon, shapely.box(*box))
    found = bbox_ids(api(supervisor), box)
    assert cell.pk in found
    assert found == cells_intersecting(box)


def test_bbox_within_the_envelope_but_off_the_geometry_is_left_out(supervisor):
    """A box in a corner of a cell's envelope that misses the cell: only their envelopes meet."""
    for cell in Grid.objects.filter(level=2).order_by("code"):
        polygon = shapely.from_wkb(bytes(cell.geom.wkb))
        west, south, east, north = polygon.bounds
        size = min(east - west, north - south) / 20
        box = (west, south, west + size, south + size)
        if not shapely.intersects(polygon, shapely.box(*box)):
            break
    else:
        pytest.fail("no cell leaves its envelope's south-west corner empty")
    envelope_box = Polygon.from_bbox(box)
    envelope_box.srid = 4326
    assert Grid.objects.filter(pk=cell.pk, geom__bboverlaps=envelope_box).exists()  # the envelopes meet
    found = bbox_ids(api(supervisor), box)
    assert cell.pk not in found
    assert found == cells_intersecting(box)
    # The layers' GeoJSON follows the same rule.
    geojson = json.loads(api(supervisor).get("/api/layers/grids-level2.geojson",
                                             {"bbox": ",".join(repr(v) for v in box)}).content)
    assert {f["id"] for f in geojson["features"]} == found


def test_cgcs2000_on_request(supervisor):
    client = api(supervisor)
    box = (116.95, 38.80, 117.00, 38.85)
    lonlat = bbox_ids(client, box)
    cgcs = "http://www.opengis.net/def/crs/EPSG/0/4490"
    assert bbox_ids(client, (38.80, 116.95, 38.85, 117.00), **{"bbox-crs": cgcs}) == lonlat
    plain = client.get("/ogc/collections/enterprises/items", {"limit": 3}, HTTP_ACCEPT="application/geo+json")
    assert plain["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    flipped = client.get("/ogc/collections/enterprises/items", {"limit": 3, "crs": cgcs},
                         HTTP_ACCEPT="application/geo+json")
    assert flipped["Content-Crs"] == f"<{cgcs}>"
    for a, b in zip(json.loads(plain.content)["features"], json.loads(flipped.content)["features"], strict=True):
        lon, lat = a["geometry"]["coordinates"]
        assert b["geometry"]["coordinates"] == [lat, lon] and 116 < lon < 118
    item = client.get(f"/ogc/collections/enterprises/items/{a['id']}", {"crs": cgcs}, HTTP_ACCEPT="application/json")
    assert json.loads(item.content)["geometry"]["coordinates"] == [lat, lon] and item["Content-Crs"] == f"<{cgcs}>"


def test_property_filters_as_the_registry_declares(supervisor):
    features = read_all(api(supervisor), "grids-level2", 1000, parent="120118108")
    assert features and {f["properties"]["parent_code"] for f in features} == {"120118108"}
    assert len(features) == Grid.objects.filter(level=2, parent__code="120118108").count()


def test_datetime_on_a_layer_with_time(supervisor):
    client = api(supervisor)
    reports = list(SituationReport.objects.order_by("reported_at"))
    assert len(reports) >= 2
    first = reports[0]
    day = timezone.localtime(first.reported_at).date()
    on_day = {r.pk for r in reports if timezone.localtime(r.reported_at).date() == day}
    assert {f["id"] for f in read_all(client, "situation_reports", 100, datetime=day.isoformat())} == on_day
    instant = first.reported_at.isoformat()
    assert {f["id"] for f in read_all(client, "situation_reports", 100, datetime=instant)} == {
        r.pk for r in reports if r.reported_at == first.reported_at}
    later = {f["id"] for f in read_all(client, "situation_reports", 100,
                                       datetime=f"{reports[1].reported_at.isoformat()}/..")}
    assert later == {r.pk for r in reports if r.reported_at >= reports[1].reported_at}
    assert not read_all(client, "situation_reports", 100, datetime="../2000-01-01")
    collection = client.get("/ogc/collections/situation_reports", {"f": "json"}).json()
    assert collection["extent"]["temporal"]["interval"][0][0].startswith(str(timezone.localtime(
        first.reported_at).year))


def test_one_feature_and_the_scope(supervisor):
    cell = Grid.objects.get(code=CELL)
    body = api(supervisor).get(f"/ogc/collections/grids-level2/items/{cell.pk}", HTTP_ACCEPT="application/json")
    feature = json.loads(body.content)
    assert feature["id"] == cell.pk and feature["properties"]["code"] == CELL
    assert {link["rel"] for link in feature["links"]} >= {"self", "alternate", "collection"}
    other = Grid.objects.get(code="120118107-002")
    officer = api(officer_of(CELL))
    assert officer.get(f"/ogc/collections/grids-level2/items/{other.pk}", {"f": "json"}).status_code == 404
    assert officer.get(f"/ogc/collections/grids-level2/items/{cell.pk}", {"f": "json"}).status_code == 200
    assert officer.get("/ogc/collections/grids-level2/items/99999999999999999999", {"f": "json"}).status_code == 404


@pytest.mark.parametrize("layer", ["grids-level2", "rivers"])
def test_etag_and_not_modified(supervisor, layer):
    client = api(supervisor)
    for url in (f"/ogc/collections/{layer}/items?limit=5", f"/ogc/collections/{layer}/items/"
                f"{items(client, layer, limit=1)['features'][0]['id']}"):
        first = client.get(url, HTTP_ACCEPT="application/geo+json")
        assert first.status_code == 200 and first["ETag"]
        again = client.get(url, HTTP_ACCEPT="application/geo+json", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        other = client.get(url + ("&" if "?" in url else "?") + "crs=EPSG:4490", HTTP_ACCEPT="application/geo+json",
                           HTTP_IF_NONE_MATCH=first["ETag"])
        assert other.status_code == 200


def test_pages_for_a_person(supervisor):
    client = Client(HTTP_HOST="localhost")
    client.force_login(supervisor)
    html = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
    cell = Grid.objects.get(code=CELL)
    for url, text in (("/ogc/", "QGIS"), ("/ogc/conformance", "ogcapi-features-1"), ("/ogc/api", "/collections"),
                      ("/ogc/collections", "二级网格"), ("/ogc/collections/grids-level2", "筛选参数"),
                      ("/ogc/collections/grids-level2/items?parent=120118108", "符合条件"),
                      (f"/ogc/collections/grids-level2/items/{cell.pk}", CELL)):
        response = client.get(url, **html)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), url
        assert text in response.content.decode() and "静海区网格化安全监管平台" in response.content.decode(), url
    assert client.get("/ogc/collections", {"f": "json"}, **html)["Content-Type"] == "application/json"


def ogrinfo(url: str, token: str, *args: str) -> str:
    env = os.environ | {"GDAL_HTTP_HEADERS": f"Authorization: Token {token}", "CPL_DEBUG": "OFF"}
    options = [a for a in args if a.startswith("-") or a.startswith("PAGE_SIZE")]
    layers = [a for a in args if a not in options]
    result = subprocess.run([OGRINFO, "-ro", *options, f"OAPIF:{url}/ogc/", *layers], env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ERROR" not in result.stderr, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(not os.path.exists(OGRINFO), reason="GDAL's ogrinfo is not installed")
def test_gdal_reads_every_collection_and_feature(live_site, committed_token, supervisor):  # noqa: F811
    expected = {layer.name: layer.source(supervisor).count() for layer in layers_for(supervisor)}
    summary = ogrinfo(live_site.url, committed_token, "-al", "-so")
    counts = dict(re.findall(r"Layer name: (\S+)\n(?:.*\n)*?Feature Count: (\d+)", summary))
    assert {name: int(n) for name, n in counts.items()} == expected
    level2 = len(api(supervisor).get("/api/grids/", {"level": 2}).json()["features"])
    assert int(counts["grids-level2"]) == level2
    # Every feature read, page after page (GDAL's own page size for one layer, larger ones for all).
    read = ogrinfo(live_site.url, committed_token, "-al", "-q", "-oo", "PAGE_SIZE=1000")
    features = re.findall(r"^OGRFeature\((\S+)\):(\d+)$", read, flags=re.MULTILINE)
    per_layer: dict[str, list[int]] = {}
    for name, fid in features:
        per_layer.setdefault(name, []).append(int(fid))
    assert {name: len(ids) for name, ids in per_layer.items()} == {n: c for n, c in expected.items() if c}
    grids = ogrinfo(live_site.url, committed_token, "-q", "grids-level2")  # default page size (10)
    assert len(re.findall(r"^OGRFeature\(grids-level2\)", grids, flags=re.MULTILINE)) == level2
