"""Recording patrols: the cell from PostGIS, photos checked by content, scope on every read."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridmap.geo import photos
from gridmap.geo.coords import wgs84_to_gcj02
from gridmap.patrols.models import Patrol
from tests.factories import inside, jpeg_upload, officer_of, png_bytes, png_upload

pytestmark = pytest.mark.django_db
MINE, OTHER = "120118105-001", "120118105-002"


@pytest.fixture
def officer_client(api_client):
    api_client.force_authenticate(officer_of(MINE))
    return api_client


def record(client, code=MINE, **extra):
    lon, lat = inside(code)
    return client.post("/api/patrols/", {"lon": lon, "lat": lat, "visited": "某某化工厂", "notes": "正常",
                                         **extra}, format="multipart")


def test_officer_records_a_patrol_with_photos_and_the_cell_is_derived(officer_client):
    response = record(officer_client, photos=[png_upload(), jpeg_upload()])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cell"]["code"] == MINE and body["officer"]["username"] == officer_of(MINE).username
    assert [p["format"] for p in body["photos"]] == ["PNG", "JPEG"]
    assert body["history"][0]["label"] == "新建" and body["history"][0]["action"] == "记录巡查"
    photo = officer_client.get(body["photos"][0]["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert b"".join(photo.streaming_content) == png_bytes()
    stored = Patrol.objects.get(pk=body["id"])
    assert stored.photos.first().image.name.startswith("patrols/") and stored.photos.first().image.name.endswith(".png")


def test_a_position_in_another_cell_is_refused(officer_client):
    count = Patrol.objects.count()
    response = record(officer_client, code=OTHER)
    assert response.status_code == 403 and OTHER in response.json()["detail"]
    assert Patrol.objects.count() == count


def test_gcj02_positions_are_converted_before_the_cell_is_found(officer_client):
    lon, lat = inside(MINE)
    glon, glat = wgs84_to_gcj02(lon, lat)
    response = officer_client.post("/api/patrols/", {"lon": float(glon), "lat": float(glat), "crs": "gcj02"},
                                   format="multipart")
    assert response.status_code == 201
    assert response.json()["position"] == pytest.approx([lon, lat], abs=1e-5)


def test_a_track_is_stored(officer_client):
    lon, lat = inside(MINE)
    response = record(officer_client, track=json.dumps([[lon, lat], [lon + 0.0005, lat + 0.0005]]))
    assert response.status_code == 201 and len(response.json()["track"]) == 2
    assert record(officer_client, track="[[1]]").status_code == 400


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png"), "不是可识别的图片"),
    (SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
                        b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
                        content_type="image/gif"), "不支持"),
    (SimpleUploadedFile("truncated.png", png_bytes()[:40], content_type="image/png"), "不是可识别的图片"),
])
def test_photos_are_checked_by_content(officer_client, upload, message):
    count = Patrol.objects.count()
    response = record(officer_client, photos=[upload])
    assert response.status_code == 400 and message in json.dumps(response.json(), ensure_ascii=False)
    assert Patrol.objects.count() == count


def test_photo_size_limit(officer_client, monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 50)
    response = record(officer_client, photos=[png_upload()])
    assert response.status_code == 400 and "MB" in json.dumps(response.json(), ensure_ascii=False)


def test_another_cells_officer_sees_nothing_of_the_patrol(officer_client, api_client):
    body = record(officer_client, photos=[png_upload()]).json()
    from rest_framework.test import APIClient

    other = APIClient()
    other.force_authenticate(officer_of(OTHER))
    assert other.get(f"/api/patrols/{body['id']}/").status_code == 404
    assert other.get(body["photos"][0]["url"]).status_code == 404
    assert body["id"] not in [p["id"] for p in other.get("/api/patrols/").json()["results"]]
    features = json.loads(other.get("/api/layers/patrols.geojson").content)["features"]
    assert body["id"] not in [f["id"] for f in features]
    # The same officer sees it, and so does the district supervisor.
    assert officer_client.get(f"/api/patrols/{body['id']}/").status_code == 200
    from django.contrib.auth import get_user_model

    other.force_authenticate(get_user_model().objects.get(username="supervisor"))
    assert other.get(f"/api/patrols/{body['id']}/").status_code == 200


def _enterprise_in(code: str, credit_code: str):
    from django.contrib.gis.geos import Point

    from gridmap.enterprises.credit_code import check_character, organisation_check_character
    from gridmap.enterprises.services import enterprise_save

    lon, lat = inside(code)
    body = credit_code[:16] + organisation_check_character(credit_code[8:16])
    return enterprise_save(credit_code=body + check_character(body), location=Point(lon, lat, srid=4326),
                           name=f"走访测试企业{code}", industry_code="3130", supervision_class="general",
                           status="operating")


def test_a_visit_near_the_enterprise_is_not_flagged_and_a_far_one_is(officer_client):
    from pyproj import Geod

    enterprise = _enterprise_in(MINE, "91120118MA05PT001")
    lon, lat = enterprise.location.x, enterprise.location.y
    geod = Geod(ellps="WGS84")
    for metres, flagged in ((50, False), (199, False), (260, True)):
        # A point this many metres north of the enterprise, still inside the cell or refused.
        plon, plat, _ = geod.fwd(lon, lat, 0, metres)
        response = officer_client.post("/api/patrols/", {"lon": plon, "lat": plat, "enterprise": enterprise.pk},
                                        format="multipart")
        if response.status_code == 403:  # walked out of the cell: try south instead
            plon, plat, _ = geod.fwd(lon, lat, 180, metres)
            response = officer_client.post("/api/patrols/", {"lon": plon, "lat": plat, "enterprise": enterprise.pk},
                                            format="multipart")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["enterprise"]["id"] == enterprise.pk
        assert body["enterprise_distance_m"] == pytest.approx(metres, abs=0.5)
        assert body["far_from_enterprise"] is flagged


def test_an_enterprise_of_another_cell_cannot_be_visited(officer_client):
    enterprise = _enterprise_in(OTHER, "91120118MA05PT002")
    lon, lat = inside(MINE)
    response = officer_client.post("/api/patrols/", {"lon": lon, "lat": lat, "enterprise": enterprise.pk},
                                   format="multipart")
    assert response.status_code == 400 and "enterprise" in response.json()
