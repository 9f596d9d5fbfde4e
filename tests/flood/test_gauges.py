"""Stations and readings (issue 17): the readings API's contract (whole or nothing, once per
station and time, errors by row and field), the state rules, the stations' GeoJSON and the
live picture's 304, the CSV upload, the sample season and replay_storm."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from gridmap.accounts.services import device_token_create
from gridmap.flood.models import Reading, Station
from tests.conftest import table_checksum

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def user(name):
    return get_user_model().objects.get(username=name)


def token_client(name):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {device_token_create(user=user(name))[1]}")
    return client


@pytest.fixture
def gauge():
    return token_client("gauge")


@pytest.fixture
def stations():
    point = "SRID=4326;POINT(116.93 38.93)"
    water = Station.objects.create(code="T-W1", name="测试水位站", kind="water_level", location=point,
                                   warning_level=5.0, guarantee_level=6.0)
    rain = Station.objects.create(code="T-R1", name="测试雨量站", kind="rain", location=point,
                                  warning_level=50, guarantee_level=100, hourly_heavy_mm=16)
    return water, rain


def at(hours_ago: float = 0) -> str:
    return (timezone.now() - dt.timedelta(hours=hours_ago)).astimezone(CST).isoformat()


def post(client, *rows):
    return client.post("/api/flood/readings/", {"readings": list(rows)}, format="json")


def station_properties(client, code):
    body = client.get("/api/flood/stations/").json()
    assert body["type"] == "FeatureCollection"
    return next(f["properties"] for f in body["features"] if f["properties"]["code"] == code)


def test_a_bad_row_is_refused_by_index_and_field_and_nothing_is_written(gauge, stations):
    before = table_checksum("flood_reading")
    response = post(gauge, {"station": "T-W1", "time": at(2), "value": 4.2},
                    {"station": "T-W1", "time": "2024-08-11T08:00:00", "value": 4.3},
                    {"station": "NOPE", "time": at(1), "value": 4.4},
                    {"station": "T-W1", "time": at(-1), "value": "高"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {(1, "time"), (2, "station"), (3, "time"), (3, "value")}
    assert "时区" in next(e["message"] for e in errors if e["index"] == 1)
    assert "10 分钟" in next(e["message"] for e in errors if e["index"] == 3 and e["field"] == "time")
    assert all(e["message"] for e in errors)
    assert table_checksum("flood_reading") == before


def test_the_same_batch_twice_is_stored_once(gauge, stations):
    hour_ago = at(1)
    rows = [{"station": "T-W1", "time": hour_ago, "value": 4.2}, {"station": "T-R1", "time": hour_ago, "value": 3.5},
            {"station": "T-R1", "time": hour_ago, "value": 3.5}]
    first = post(gauge, *rows)
    assert first.status_code == 200 and first.json() == {"received": 3, "created": 2}
    again = post(gauge, *rows)
    assert again.status_code == 200 and again.json() == {"received": 3, "created": 0}
    assert Reading.objects.filter(station__code__in=["T-W1", "T-R1"]).count() == 2


def test_a_reading_above_the_guarantee_level_is_danger_at_once(gauge, stations):
    assert post(gauge, {"station": "T-W1", "time": at(1), "value": 5.5}).status_code == 200
    props = station_properties(gauge, "T-W1")
    assert (props["state"], props["stale"], props["latest_value"]) == ("warning", False, 5.5)
    assert post(gauge, {"station": "T-W1", "time": at(0), "value": 6.01}).status_code == 200
    props = station_properties(gauge, "T-W1")
    assert (props["state"], props["state_name"], props["latest_value"]) == ("danger", "超保证", 6.01)
    assert props["warning_level"] == 5.0 and props["guarantee_level"] == 6.0 and props["kind"] == "water_level"


def test_a_late_older_reading_is_stored_but_does_not_change_the_state(gauge, stations):
    post(gauge, {"station": "T-W1", "time": at(0), "value": 6.5})
    response = post(gauge, {"station": "T-W1", "time": at(3), "value": 4.0})
    assert response.json() == {"received": 1, "created": 1}
    props = station_properties(gauge, "T-W1")
    assert props["state"] == "danger" and props["latest_value"] == 6.5
    # Back under the warning level: the station is normal again.
    post(gauge, {"station": "T-W1", "time": at(-0.05), "value": 4.9})
    assert station_properties(gauge, "T-W1")["state"] == "normal"


def test_rain_is_the_sum_of_the_last_24_hours_against_its_grades(gauge, stations):
    post(gauge, {"station": "T-R1", "time": at(30), "value": 80},  # outside the window
         {"station": "T-R1", "time": at(5), "value": 30}, {"station": "T-R1", "time": at(1), "value": 19.9})
    props = station_properties(gauge, "T-R1")
    assert (props["state"], props["rain_24h_mm"]) == ("normal", pytest.approx(49.9))
    post(gauge, {"station": "T-R1", "time": at(0.5), "value": 0.1})
    assert station_properties(gauge, "T-R1")["state"] == "warning"
    post(gauge, {"station": "T-R1", "time": at(0), "value": 50})
    props = station_properties(gauge, "T-R1")
    assert (props["state"], props["state_name"]) == ("danger", "24 小时大暴雨")


def test_a_station_silent_for_six_hours_is_stale(gauge, stations):
    post(gauge, {"station": "T-W1", "time": at(6.1), "value": 6.4}, {"station": "T-R1", "time": at(5.9), "value": 1})
    water, rain = station_properties(gauge, "T-W1"), station_properties(gauge, "T-R1")
    assert (water["stale"], water["state"]) == (True, "danger")
    assert rain["stale"] is False


def test_who_may_feed_readings(stations):
    row = {"station": "T-W1", "time": at(0), "value": 4}
    assert post(token_client("flood"), row).status_code == 200
    assert post(token_client("admin"), row).status_code == 200
    refused = post(token_client("supervisor"), row)
    assert refused.status_code == 403 and "水雨情" in refused.json()["detail"]
    assert post(APIClient(), row).status_code == 401
    # Every signed-in user may read the stations.
    assert token_client("officer0001").get("/api/flood/stations/").status_code == 200


def test_a_batch_over_ten_thousand_or_of_the_wrong_shape_is_refused(gauge, stations):
    too_many = [{"station": "T-W1", "time": at(0), "value": 4}] * 10_001
    response = post(gauge, *too_many)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "readings"
    shape = gauge.post("/api/flood/readings/", [1, 2], format="json")
    assert shape.status_code == 400 and shape.json()["errors"][0]["field"] == "readings"
    assert not Reading.objects.filter(station__code="T-W1").exists()


def test_ten_thousand_rows_are_one_statement(gauge, stations, django_assert_max_num_queries):
    start = timezone.now() - dt.timedelta(days=8)
    rows = [{"station": "T-R1", "time": (start + dt.timedelta(minutes=i)).isoformat(), "value": 0.1}
            for i in range(10_000)]
    with django_assert_max_num_queries(12):
        response = post(gauge, *rows)
    assert response.json() == {"received": 10_000, "created": 10_000}


def test_the_live_picture_is_a_304_until_a_reading_arrives(stations):
    client = token_client("flood")
    first = client.get("/api/flood/situation/")
    assert first.status_code == 200 and first["ETag"]
    codes = {f["properties"]["code"] for f in first.json()["parts"]["stations"]["features"]}
    assert {"T-W1", "T-R1", "JH-W01", "JH-R01"} <= codes
    again = client.get("/api/flood/situation/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    post(token_client("gauge"), {"station": "T-W1", "time": at(0), "value": 6.2})
    changed = client.get("/api/flood/situation/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    props = next(f["properties"] for f in changed.json()["parts"]["stations"]["features"]
                 if f["properties"]["code"] == "T-W1")
    assert props["state"] == "danger"
    assert client.get("/api/flood/situation/", {"parts": "nope"}).status_code == 400
    assert token_client("officer0001").get("/api/flood/situation/").status_code == 403


def test_the_layers_of_the_storm(stations):
    client = token_client("flood")
    for name, least in (("stations", 20), ("waterlogging-points", 5), ("evacuation-villages", 5), ("shelters", 3)):
        response = client.get(f"/api/layers/{name}.geojson")
        assert response.status_code == 200, name
        features = response.json()["features"]
        assert len(features) >= least, name
    village = client.get("/api/layers/evacuation-villages.geojson").json()["features"][0]["properties"]
    assert village["population"] > 0 and village["responsible_person"] and village["phone"]
    assert token_client("officer0001").get("/api/layers/shelters.geojson").status_code in (403, 404)


def csv_upload(text: str, encoding="utf-8"):
    return SimpleUploadedFile("readings.csv", text.encode(encoding), content_type="text/csv")


def test_the_csv_upload_page(client, stations):
    client.force_login(user("flood"))
    good = f"测站编码,观测时间,数值\nT-W1,{at(1)},4.5\nT-W1,{at(0)},6.3\n"
    response = client.post("/flood/readings/upload/", {"file": csv_upload(good, "gbk")})
    assert response.status_code == 200 and "新增 2 条" in response.content.decode()
    before = table_checksum("flood_reading")
    bad = f"station,time,value\nT-R1,{at(1)},3\nT-R1,2019-08-11 08:00,3\n"
    response = client.post("/flood/readings/upload/", {"file": csv_upload(bad)})
    page = response.content.decode()
    assert response.status_code == 400 and "未写入" in page and "<td>3</td><td>time</td>" in page
    assert table_checksum("flood_reading") == before
    client.force_login(user("supervisor"))
    assert client.get("/flood/readings/upload/").status_code == 403


def test_the_sample_season_crosses_warning_and_danger_in_lekima():
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(DISTINCT s.code) FILTER (WHERE r.value > s.guarantee_level),
                   count(DISTINCT s.code) FILTER (WHERE r.value > s.warning_level)
            FROM flood_reading r JOIN flood_station s ON s.id = r.station_id
            WHERE s.kind = 'water_level'
              AND r.time >= '2019-08-10T00:00+08:00' AND r.time < '2019-08-14T00:00+08:00'""")
        danger, warning = cursor.fetchone()
    assert 0 < danger < warning <= 8
    assert Station.objects.filter(generated=True).count() == 20


def test_replay_storm_feeds_lekima_in_time_order_and_moves_the_states():
    out = io.StringIO()
    call_command("replay_storm", "lekima", "--speed", "100000000", "--replace", stdout=out)
    text = out.getvalue()
    assert "送入 1920 条，新增 1920 条" in text
    lines = [line for line in text.splitlines() if line.startswith("2019-08-1")]
    assert len(lines) == 96 and lines == sorted(lines)
    assert any("超保证 0 个" not in line for line in lines)


def test_replay_storm_now_retimes_a_stretch_to_end_now(gauge):
    out = io.StringIO()
    call_command("replay_storm", "lekima", "--from", "2019-08-11T12:00+08:00", "--to", "2019-08-11T14:00+08:00",
                 "--speed", "36000", "--now", stdout=out)
    assert "新增 60 条" in out.getvalue()
    props = station_properties(gauge, "JH-W05")
    assert props["stale"] is False
    latest = dt.datetime.fromisoformat(props["latest_time"])
    assert abs((timezone.now() - latest).total_seconds()) < 60


def test_a_code_with_a_nul_or_a_huge_number_is_a_bad_row_not_a_failure(gauge, stations):
    response = post(gauge, {"station": "T-W1\x00", "time": at(0), "value": 4},
                    {"station": "T-W1", "time": at(0), "value": 10**400})
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(0, "station"), (1, "value")]
