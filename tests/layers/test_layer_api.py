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
    assert all(shapely.intersects(shapely.box(*s.bounds), box) for s in shapes)


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
