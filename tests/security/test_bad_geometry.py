"""Geometry and files no user should be able to store (tests/fixtures/bad/requests/geometry.json,
zip bombs and pixel bombs built here): each is refused naming the field, nothing is stored,
and afterwards every patrol list still answers for every role."""

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from gridmap.geo import readers, tables
from gridmap.geo.photos import MAX_PIXELS, without_metadata
from gridmap.geo.readers import ImportRefused, looks_like_formula, read_vector
from gridmap.geo.tables import read_table
from gridmap.grids.models import GridAssignment
from gridmap.grids.roster import import_roster
from gridmap.patrols.models import PatrolPhoto
from gridmap.patrols.services import MAX_TRACK_POINTS
from tests.conftest import table_checksum
from tests.factories import inside, officer_of

pytestmark = pytest.mark.django_db
CASES = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "bad" / "requests" / "geometry.json")
                   .read_text(encoding="utf-8"))
MINE = "120118105-001"
TOO_LONG = [[116.9 + i * 1e-6, 38.9] for i in range(60_000)]
SQUARE = {"type": "Polygon", "coordinates": [[
    [116.90, 38.90], [116.95, 38.90], [116.95, 38.94], [116.90, 38.94], [116.90, 38.90]]]}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def patrol_rows():
    return table_checksum("patrols_patrol", "patrols_patrolphoto")


@pytest.mark.parametrize("name", [*sorted(CASES["tracks"]), "too_long"])
def test_a_bad_track_is_refused_by_the_api_naming_the_track(name):
    track = TOO_LONG if name == "too_long" else CASES["tracks"][name]
    lon, lat = inside(MINE)
    before = patrol_rows()
    answer = client_for(officer_of(MINE)).post(
        "/api/patrols/", {"lon": lon, "lat": lat, "track": json.dumps(track)}, format="multipart")
    assert answer.status_code == 400, answer.content
    assert "轨迹" in answer.json()["track"][0]
    assert patrol_rows() == before


@pytest.mark.parametrize("name", [*sorted(CASES["tracks"]), "too_long"])
def test_a_bad_track_is_refused_by_the_page_with_the_same_words(name):
    track = TOO_LONG if name == "too_long" else CASES["tracks"][name]
    lon, lat = inside(MINE)
    client = Client()
    client.force_login(officer_of(MINE))
    before = patrol_rows()
    page = client.post("/patrols/new/", {"lon": lon, "lat": lat, "crs": "wgs84", "track": json.dumps(track)})
    assert page.status_code == 400 and "轨迹" in page.content.decode()
    assert patrol_rows() == before


def test_the_track_cap_is_the_same_for_both_doors():
    lon, lat = inside(MINE)
    track = [[lon + i * 1e-7, lat] for i in range(MAX_TRACK_POINTS)]
    answer = client_for(officer_of(MINE)).post(
        "/api/patrols/", {"lon": lon, "lat": lat, "track": json.dumps(track)}, format="multipart")
    assert answer.status_code == 201, answer.content
    client = Client()
    client.force_login(officer_of(MINE))
    page = client.post("/patrols/new/", {"lon": lon, "lat": lat, "crs": "wgs84",
                                         "track": json.dumps(track + [[lon, lat]])})
    assert page.status_code == 400 and f"最多 {MAX_TRACK_POINTS} 个" in page.content.decode()


@pytest.mark.parametrize("position", [{"lon": "NaN", "lat": "38.9"}, {"lon": "116.9", "lat": "Infinity"},
                                      {"lon": "181", "lat": "38.9"}])
def test_a_position_that_is_no_place_is_refused(position):
    before = patrol_rows()
    answer = client_for(officer_of(MINE)).post("/api/patrols/", position, format="multipart")
    assert answer.status_code == 400 and set(answer.json()) & {"lon", "lat"}
    assert patrol_rows() == before


def test_after_every_bad_geometry_every_role_still_lists_patrols():
    officer = officer_of(MINE)
    lon, lat = inside(MINE)
    before = patrol_rows()
    for track in [*CASES["tracks"].values(), TOO_LONG]:
        client_for(officer).post("/api/patrols/", {"lon": lon, "lat": lat, "track": json.dumps(track)},
                                 format="multipart")
    head = GridAssignment.objects.filter(role="town_supervisor").select_related("user").first().user
    users = get_user_model().objects
    for user in (officer, head, users.get(username="supervisor"), users.get(username="flood")):
        assert client_for(user).get("/api/patrols/").status_code == 200
    assert patrol_rows() == before


@pytest.mark.parametrize("name", sorted(CASES["areas"]))
def test_a_bad_area_is_a_400_naming_the_geometry(name):
    area = CASES["areas"][name]
    flood = get_user_model().objects.get(username="flood")
    # As JSON text inside the body: DRF's strict parser refuses a bare NaN before any field.
    answer = client_for(flood).post("/api/flood/exposure/", {"geometry": json.dumps(area)}, format="json")
    assert answer.status_code == 400 and "geometry" in answer.json(), answer.content
    page = Client()
    page.force_login(flood)
    answer = page.get("/flood/exposure/", {"geometry": json.dumps(area)})
    assert answer.status_code == 400 and answer.content.decode().startswith("geometry：")
    supervisor = client_for(get_user_model().objects.get(username="supervisor"))
    answer = supervisor.post("/api/inspections/area/enterprises/", {"polygon": json.dumps(area)}, format="json")
    assert answer.status_code == 400 and "polygon" in answer.json(), answer.content


@pytest.mark.parametrize("name", sorted(CASES["area_crs"]))
def test_a_crs_that_is_not_offered_is_a_400_naming_the_crs(name):
    flood = get_user_model().objects.get(username="flood")
    page = Client()
    page.force_login(flood)
    answer = page.get("/flood/exposure/", {"geometry": json.dumps(SQUARE), "crs": CASES["area_crs"][name]})
    assert answer.status_code == 400 and answer.content.decode().startswith("crs：")
    answer = client_for(flood).post("/api/flood/exposure/", {"geometry": SQUARE, "crs": CASES["area_crs"][name]},
                                    format="json")
    assert answer.status_code == 400 and "crs" in answer.json()


# --- zip bombs ----------------------------------------------------------------------------------

def zip_bomb(path: Path, *, expanded_mb: int = 80) -> Path:
    """An .xlsx-shaped zip of a few hundred kilobytes whose sheet expands to expanded_mb of XML."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = row * (1024 * 1024 // len(row))
            for _ in range(expanded_mb):
                sheet.write(chunk)
    return path


def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path):
    bomb = zip_bomb(tmp_path / "roster.xlsx")
    assert bomb.stat().st_size < 1024 * 1024
    for read in (read_table, import_roster, read_vector):
        with pytest.raises(ImportRefused, match="解压后 80 MB，超过 50 MB 上限"):
            read(bomb)


def test_a_zipped_shapefile_bomb_is_refused(tmp_path):
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        read_vector(zip_bomb(tmp_path / "cells.zip"))


def test_a_zip_bomb_roster_upload_changes_nothing(tmp_path):
    bomb = zip_bomb(tmp_path / "roster.xlsx")
    client = Client()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    before = table_checksum("accounts_user", "grids_gridassignment")
    upload = SimpleUploadedFile("roster.xlsx", bomb.read_bytes())
    answer = client.post("/assign/roster/", {"roster": upload}, follow=True)
    assert "压缩炸弹" in answer.content.decode()
    assert table_checksum("accounts_user", "grids_gridassignment") == before


def test_too_many_rows_are_refused_while_streaming(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for number in range(10):
        sheet.append(["username" if number == 0 else f"u{number}", "name"])
    book.save(tmp_path / "long.xlsx")
    with pytest.raises(ImportRefused, match="超过 3 行上限"):
        read_table(tmp_path / "long.xlsx")
    (tmp_path / "long.csv").write_text("a,b\n" + "1,2\n" * 10, encoding="utf-8")
    with pytest.raises(ImportRefused, match="超过 3 行上限"):
        read_table(tmp_path / "long.csv")


def test_an_ordinary_workbook_is_within_the_limits(tmp_path):
    assert readers.MAX_UNZIPPED_BYTES == 50 * 1024 * 1024
    book = Workbook()
    book.active.append(["a", "b"])
    book.active.append(["1", "2"])
    book.save(tmp_path / "ok.xlsx")
    assert read_table(tmp_path / "ok.xlsx").rows == [(2, {"a": "1", "b": "2"})]


# --- photos ---------------------------------------------------------------------------------------

def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width×height pixels and holds almost none (a pixel bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_a_photo_of_too_many_pixels_is_refused_before_decoding():
    lon, lat = inside(MINE)
    before = patrol_rows()
    bomb = SimpleUploadedFile("big.png", png_header_only(10_300, 7_700), content_type="image/png")
    assert 10_300 * 7_700 > MAX_PIXELS
    answer = client_for(officer_of(MINE)).post("/api/patrols/", {"lon": lon, "lat": lat, "photos": [bomb]},
                                               format="multipart")
    assert answer.status_code == 400 and "百万像素" in answer.json()["photos"][0]
    assert patrol_rows() == before


def photo_with_gps(kind: str = "JPEG") -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (38.0, 55.0, 12.0)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(buffer, format=kind, exif=exif)
    return buffer.getvalue()


def gps_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def test_gps_is_kept_for_the_bureau_and_stripped_for_everyone_else():
    lon, lat = inside(MINE)
    officer = officer_of(MINE)
    upload = SimpleUploadedFile("site.jpg", photo_with_gps(), content_type="image/jpeg")
    body = client_for(officer).post("/api/patrols/", {"lon": lon, "lat": lat, "photos": [upload]},
                                    format="multipart").json()
    url = body["photos"][0]["url"]
    stored = PatrolPhoto.objects.get(pk=body["photos"][0]["id"])
    with stored.image.open("rb") as handle:
        assert gps_of(handle.read())  # the record keeps it
    served = b"".join(client_for(officer).get(url).streaming_content)
    assert gps_of(served) == {} and Image.open(io.BytesIO(served)).size == (32, 24)
    bureau = b"".join(client_for(get_user_model().objects.get(username="supervisor")).get(url).streaming_content)
    assert gps_of(bureau)


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_metadata_is_stripped_from_every_format(kind):
    original = photo_with_gps(kind)
    assert gps_of(original) and gps_of(without_metadata(original)) == {}


@pytest.mark.parametrize("text", ["=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "+1", "@x"])
def test_formula_starters_half_and_full_width_are_caught(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["张三", "13800000000", "A=1", ""])
def test_ordinary_text_is_not_a_formula(text):
    assert not looks_like_formula(text)


@pytest.mark.parametrize(("where", "field"), [({"crs": "mars"}, "crs"), ({"crs": "+proj=merc"}, "crs"),
                                              ({"lon": float("nan")}, "position"), ({"lat": 95.0}, "position")])
def test_a_report_or_patrol_that_is_no_place_is_refused_by_the_service(where, field):
    from django.core.exceptions import ValidationError

    from gridmap.inspections.services import report_submit
    from gridmap.patrols.services import patrol_record

    lon, lat = inside(MINE)
    values = {"lon": lon, "lat": lat, **where}
    before = table_checksum("inspections_report", "patrols_patrol")
    with pytest.raises(ValidationError) as caught:
        report_submit(actor=get_user_model().objects.get(username="supervisor"), description="有人倾倒废液",
                      **values)
    assert field in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        patrol_record(actor=officer_of(MINE), **values)
    assert field in caught.value.message_dict
    assert table_checksum("inspections_report", "patrols_patrol") == before
