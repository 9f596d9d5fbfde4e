import json

import pytest
import shapely

pytestmark = pytest.mark.django_db


def test_layer_list_describes_styles_and_urls(supervisor_client):
    layers = {layer["name"]: layer for layer in supervisor_client.get("/api/layers/").json()["layers"]}
    assert {"district", "grids-level1", "grids-level2", "rivers"} <= set(layers)
    assert layers["grids-level2"]["url"] == "/api/layers/grids-level2.geojson"
    assert layers["grids-level2"]["style"]["color"].startswith("#")


def test_bbox_filter_returns_only_intersecting_features(supervisor_client):
    bbox = (116.95, 38.80, 117.00, 38.85)
    body = json.loads(supervisor_client.get("/api/layers/grids-level2.geojson",
                                            {"bbox": ",".join(map(str, bbox))}).content)
    box = shapely.box(*bbox)
    shapes = [shapely.geometry.shape(f["geometry"]) for f in body["features"]]
    assert 0 < len(shapes) < 432
    # The geometry itself, not only its envelope (issue 22: the same rule as the OGC API's bbox).
    assert all(shapely.intersects(s, box) for s in shapes)


def test_property_filter(supervisor_client):
    body = json.loads(supervisor_client.get("/api/layers/grids-level2.geojson", {"parent": "120118108"}).content)
    assert body["features"] and {f["properties"]["parent_code"] for f in body["features"]} == {"120118108"}


def test_etag_revalidation(supervisor_client):
    first = supervisor_client.get("/api/layers/rivers.geojson")
    assert first.status_code == 200 and first["ETag"]
    again = supervisor_client.get("/api/layers/rivers.geojson", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "117,39,116,38"])
def test_bad_bbox_is_400(supervisor_client, bbox):
    assert supervisor_client.get("/api/layers/rivers.geojson", {"bbox": bbox}).status_code == 400


def test_unknown_layer_is_404_and_anonymous_is_refused(supervisor_client):
    from rest_framework.test import APIClient

    assert supervisor_client.get("/api/layers/nope.geojson").status_code == 404
    api_client = APIClient()
    assert api_client.get("/api/layers/rivers.geojson").status_code in (401, 403)
    assert api_client.get("/api/layers/").status_code in (401, 403)


def test_streamed_layer_is_valid_geojson(supervisor_client, monkeypatch):
    from dataclasses import replace

    from layers import registry

    streamed = replace(registry.get_layer("grids-level2"), stream=True)
    monkeypatch.setitem(registry._LAYERS, "grids-level2", streamed)
    response = supervisor_client.get("/api/layers/grids-level2.geojson")
    body = json.loads(b"".join(response.streaming_content))
    assert len(body["features"]) == 432
    assert body["features"][0]["properties"]["officers"]


def queries_of(table):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    class Capture(CaptureQueriesContext):
        def touched(self):
            return [q["sql"] for q in self.captured_queries if table in q["sql"]]

    return Capture(connection)


def test_a_layer_with_source_tables_is_revalidated_without_reading_it(supervisor_client):
    from gridmap.enterprises.models import Enterprise

    first = supervisor_client.get("/api/layers/enterprises.geojson")
    assert first.status_code == 200 and first["ETag"].startswith('W/"')
    with queries_of("enterprises_enterprise") as capture:
        again = supervisor_client.get("/api/layers/enterprises.geojson", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and capture.touched() == []
    # A write to a source table is a new version: a new tag and the new data.
    enterprise = Enterprise.objects.order_by("id").first()
    Enterprise.objects.filter(pk=enterprise.pk).update(name="静海区测试更名企业")
    changed = supervisor_client.get("/api/layers/enterprises.geojson", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    names = {f["id"]: f["properties"]["name"] for f in json.loads(changed.content)["features"]}
    assert names[enterprise.pk] == "静海区测试更名企业"
    # Filters and scope are part of the tag.
    filtered = supervisor_client.get("/api/layers/enterprises.geojson", {"risk_level": "major"})
    assert filtered["ETag"] != changed["ETag"]
    assert {f["properties"]["risk_level"] for f in json.loads(filtered.content)["features"]} == {"major"}


def test_the_officers_on_a_cell_are_part_of_its_layer_version(supervisor_client, supervisor):
    from gridmap.grids import services
    from gridmap.grids.models import Grid, GridAssignment

    first = supervisor_client.get("/api/layers/grids-level2.geojson")
    assignment = GridAssignment.objects.filter(role="cell_officer", grid__level=2).select_related("grid").first()
    newcomer = type(supervisor).objects.create_user("officer-newcomer", password="x-new-42", full_name="新来的网格员")
    services.assignment_replace(actor=supervisor, assignment=assignment, user=newcomer)
    again = supervisor_client.get("/api/layers/grids-level2.geojson", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    cell = next(f for f in json.loads(again.content)["features"] if f["properties"]["code"] == assignment.grid.code)
    assert "新来的网格员" in json.dumps(cell["properties"]["officers"], ensure_ascii=False)
    assert Grid.objects.filter(level=2).count() == len(json.loads(again.content)["features"])


def test_a_user_whose_scope_is_empty_gets_empty_layers(api_client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from layers.tiles import tile_cache
    from tests.layers.test_tiles import tile_of

    nobody = get_user_model().objects.create_user("officer-without-cell", password="x-none-42")
    nobody.groups.add(Group.objects.get_or_create(name="grid_officer")[0])
    api_client.force_authenticate(nobody)
    body = json.loads(api_client.get("/api/layers/enterprises.geojson").content)
    assert body == {"type": "FeatureCollection", "features": []}
    tile_cache.clear()
    z, x, y = tile_of(116.95, 38.9, 12)
    assert api_client.get(f"/tiles/enterprises/{z}/{x}/{y}.mvt").status_code == 204
    assert api_client.get(f"/tiles/grids-level2/{z}/{x}/{y}.mvt").status_code == 204
