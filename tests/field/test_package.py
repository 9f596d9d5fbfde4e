"""The phone app's server side: the cell package (scope, contents, 304), the public manifest
and service worker, the outbox page, and the JavaScript coordinate formulas against Python's."""

import datetime as dt
import json
import shutil
import subprocess

import numpy as np
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gridmap.enterprises.models import Enterprise
from gridmap.geo import coords
from gridmap.grids.models import Grid, GridAssignment
from tests.factories import make_user, officer_of

pytestmark = pytest.mark.django_db
CELL, OTHER = "120118110-002", "120118110-003"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_package_holds_the_officers_cell_and_nothing_of_another_cell():
    client = signed_in(officer_of(CELL))
    response = client.get("/api/field/package/")
    assert response.status_code == 200
    package = response.json()
    assert [c["code"] for c in package["cells"]] == [CELL]
    assert package["cells"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert len(package["towns"]) == 1 and package["towns"][0]["geometry"]
    expected = set(Enterprise.objects.filter(cell__code=CELL).values_list("pk", flat=True))
    assert {e["id"] for e in package["enterprises"]} == expected
    assert all(e["cell"] == CELL for e in package["enterprises"])
    if package["enterprises"]:
        first = package["enterprises"][0]
        assert first["risk_label"] and "risk_points" in first["register"]
        assert first["checklist"] in {c["key"] for c in package["checklists"]}
    assert all(t["cell"] == CELL for t in package["tasks"]) and all(h["cell"] == CELL for h in package["hazards"])
    assert "/my-cell/" in package["pages"] and "/outbox/" in package["pages"]
    assert OTHER.encode() not in response.content

    other = signed_in(officer_of(OTHER)).get("/api/field/package/").content
    assert CELL.encode() not in other
    assert not any(str(pk) in [str(e["id"]) for e in json.loads(other)["enterprises"]] for pk in expected)


def test_package_answers_304_until_its_data_changes():
    client = signed_in(officer_of(CELL))
    first = client.get("/api/field/package/")
    etag = first["ETag"]
    assert client.get("/api/field/package/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    enterprise = Enterprise.objects.filter(cell__code=CELL).first()
    enterprise.name = enterprise.name + "（更名）"
    enterprise.save()
    changed = client.get("/api/field/package/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "（更名）" in changed.content.decode()


def test_a_substitute_duty_brings_the_cell_into_the_package_for_its_dates_only():
    substitute = make_user("sub-field", "grid_officer")
    today = timezone.localdate()
    GridAssignment.objects.create(grid=Grid.objects.get(code=OTHER), user=substitute, role="substitute",
                                  valid_from=today - dt.timedelta(days=1), valid_to=today + dt.timedelta(days=1))
    package = signed_in(substitute).get("/api/field/package/").json()
    assert [(c["code"], c["role"]) for c in package["cells"]] == [(OTHER, "substitute")]
    GridAssignment.objects.filter(user=substitute).update(valid_to=today - dt.timedelta(days=1))
    assert signed_in(substitute).get("/api/field/package/").json()["cells"] == []


def test_manifest_and_service_worker_are_served_without_sign_in():
    client = Client()
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert body["display"] == "standalone" and body["start_url"] == "/my-cell/" and "网格" in body["short_name"]
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        assert (settings.BASE_DIR / "static" / icon["src"].removeprefix("/static/")).exists()
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    text = worker.content.decode()
    assert "/static/gridmap/field/app.js" in text and "/static/vendor/leaflet/leaflet.js" in text
    assert "importScripts" in text
    # Anonymous visitors get no page: the outbox and the package ask for sign-in.
    assert client.get("/outbox/").status_code == 302
    assert client.get("/api/field/package/").status_code in (401, 403)


def test_every_signed_in_page_carries_one_outbox_count_and_the_manifest():
    page = signed_in(officer_of(CELL)).get("/my-cell/").content.decode()
    assert page.count("data-outbox-count") == 1
    assert 'rel="manifest"' in page and "gridmap/field/app.js" in page


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_javascript_coordinate_formulas_match_python(tmp_path):
    rng = np.random.default_rng(16)
    lon, lat = rng.uniform(116.70, 117.25, 200), rng.uniform(38.58, 39.07, 200)
    gcj = coords.wgs84_to_gcj02(lon, lat)
    bd = coords.wgs84_to_bd09(lon, lat)
    vectors = {"wgs": np.column_stack([lon, lat]).tolist(), "gcj": np.column_stack(gcj).tolist(),
               "bd": np.column_stack(bd).tolist(),
               "gcj_back": np.column_stack(coords.gcj02_to_wgs84(*gcj)).tolist(),
               "bd_back": np.column_stack(coords.bd09_to_wgs84(*bd)).tolist()}
    (tmp_path / "vectors.json").write_text(json.dumps(vectors))
    script = """
      const c = require(process.argv[1]);
      const v = require(process.argv[2]);
      const out = {gcj: v.wgs.map(p => c.wgs84ToGcj02(p[0], p[1])), bd: v.wgs.map(p => c.wgs84ToBd09(p[0], p[1])),
                   gcj_back: v.gcj.map(p => c.toWgs84(p[0], p[1], "gcj02")),
                   bd_back: v.bd.map(p => c.toWgs84(p[0], p[1], "bd09"))};
      console.log(JSON.stringify(out));
    """
    source = settings.BASE_DIR / "static" / "gridmap" / "field" / "coords.js"
    result = subprocess.run(["node", "-e", script, str(source), str(tmp_path / "vectors.json")],
                            capture_output=True, text=True, check=True)
    js = json.loads(result.stdout)
    for key in ("gcj", "bd", "gcj_back", "bd_back"):
        # 1e-9 degrees is about 0.1 mm.
        assert np.abs(np.array(js[key]) - np.array(vectors[key])).max() < 1e-9, key
    # And the inverse in JavaScript lands on the original WGS84 point.
    assert np.abs(np.array(js["gcj_back"]) - np.array(vectors["wgs"])).max() < 1e-8


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_javascript_point_in_polygon_agrees_with_postgis(tmp_path):
    cell = Grid.objects.get(code=CELL)
    xmin, ymin, xmax, ymax = cell.geom.extent
    rng = np.random.default_rng(3)
    points = np.column_stack([rng.uniform(xmin, xmax, 300), rng.uniform(ymin, ymax, 300)])
    from django.contrib.gis.geos import Point
    expected = [cell.geom.contains(Point(x, y, srid=4326)) for x, y in points]
    (tmp_path / "case.json").write_text(json.dumps({"geometry": json.loads(cell.geom.geojson),
                                                    "points": points.tolist()}))
    script = """
      const c = require(process.argv[1]); const v = require(process.argv[2]);
      console.log(JSON.stringify(v.points.map(p => c.contains(v.geometry, p[0], p[1]))));
    """
    source = settings.BASE_DIR / "static" / "gridmap" / "field" / "coords.js"
    result = subprocess.run(["node", "-e", script, str(source), str(tmp_path / "case.json")],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == expected
    assert any(expected) and not all(expected)
