"""Exports through the real worker: the request is committed on a connection of its own (as a
server's would be), a Procrastinate worker runs the queued jobs against the test database
and stops when the queue is empty, and the file is read back from the default storage."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from openpyxl import load_workbook
from procrastinate.contrib.django import app
from rest_framework.test import APIClient

from gridmap.core.models import RateLimitHit
from gridmap.enterprises.selectors import enterprises_for_user
from gridmap.inspections.selectors import hazards_for_user, inspections_for_user
from gridmap.jobs.models import Export
from gridmap.jobs.services import export_request, exports_expire
from tests.concurrency import committed
from tests.factories import officer_of

pytestmark = pytest.mark.django_db
CELL = "120118108-003"


def run_worker_until_idle() -> None:
    """Procrastinate's worker, as `manage.py procrastinate worker` starts it (its own psycopg
    connection), until no job is left on the exports queue. In a thread of its own: the
    browser tests' Playwright keeps an event loop running in the test thread."""
    def work():
        with app.replace_connector(app.connector.get_worker_connector()):
            app.run_worker(queues=["exports"], wait=False, install_signal_handlers=False, listen_notify=False)

    committed(work)


def request_committed(user, body) -> dict:
    def post():
        client = APIClient()
        client.force_authenticate(user)
        response = client.post("/api/exports/", body, format="json")
        return response.status_code, response.json()

    status, data = committed(post)
    assert status == 202, data
    return data


def built(user, body) -> Export:
    data = request_committed(user, body)
    assert data["status"] == "queued" and data["progress"] == 0
    run_worker_until_idle()
    export = Export.objects.get(pk=data["id"])
    assert export.status == Export.Status.DONE, export.error
    return export


def file_bytes(export: Export) -> bytes:
    with default_storage.open(export.file.name, "rb") as stream:
        return stream.read()


@pytest.fixture
def clean_jobs(db):
    """What the committed requests and the worker left: exports and their files, counts, jobs."""
    yield

    def clean():
        for export in Export.objects.all():
            if export.file.name:
                default_storage.delete(export.file.name)
        Export.objects.all().delete()
        RateLimitHit.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_periodic_defers")
            cursor.execute("DELETE FROM procrastinate_jobs")
            cursor.execute("DELETE FROM procrastinate_workers")

    committed(clean)


@pytest.mark.usefixtures("clean_jobs")
def test_all_enterprises_as_csv_hold_what_the_requester_sees(supervisor):
    export = built(supervisor, {"kind": "enterprises", "format": "csv", "filters": {}})
    rows = list(csv.reader(io.StringIO(file_bytes(export).decode("utf-8-sig"))))
    header, records = rows[0], rows[1:]
    assert header[0] == "统一社会信用代码"
    visible = set(enterprises_for_user(supervisor).values_list("credit_code", flat=True))
    assert len(records) == len(visible) == export.rows > 100
    assert {r[0] for r in records} == visible
    # The status as the API tells it, with a download on the platform's own host.
    client = APIClient()
    client.force_authenticate(supervisor)
    data = client.get(f"/api/exports/{export.pk}/").json()
    assert data["status"] == "done" and data["progress"] == 1 and data["rows"] == len(visible)
    assert data["download_url"] == f"http://testserver/api/exports/{export.pk}/download/"
    download = client.get(data["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == file_bytes(export)
    # Nobody else's, whatever their role.
    other = APIClient()
    other.force_authenticate(officer_of(CELL))
    assert other.get(f"/api/exports/{export.pk}/").status_code == 404
    assert other.get(f"/api/exports/{export.pk}/download/").status_code == 404


@pytest.mark.usefixtures("clean_jobs")
def test_an_officers_export_holds_only_their_cell():
    officer = officer_of(CELL)
    export = built(officer, {"kind": "enterprises", "format": "csv"})
    records = list(csv.DictReader(io.StringIO(file_bytes(export).decode("utf-8-sig"))))
    assert records and {r["二级网格编码"] for r in records} == {CELL}
    assert len(records) == enterprises_for_user(officer).count()


@pytest.mark.usefixtures("clean_jobs")
def test_excel_and_geojson_open_and_hold_the_filtered_rows(supervisor):
    inspections = built(supervisor, {"kind": "inspections", "format": "xlsx", "filters": {"grid": "120118108"}})
    sheet = load_workbook(io.BytesIO(file_bytes(inspections)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "检查日期", "类型")
    expected = inspections_for_user(supervisor).filter(cell__parent__code="120118108")
    assert sorted(r[0] for r in rows[1:]) == sorted(expected.values_list("pk", flat=True))
    assert len(rows) > 1

    hazards = built(supervisor, {"kind": "hazards", "format": "geojson", "filters": {"status": "open"}})
    collection = json.loads(file_bytes(hazards))
    assert collection["type"] == "FeatureCollection"
    open_ids = set(hazards_for_user(supervisor, open_only=True).values_list("pk", flat=True))
    assert {f["id"] for f in collection["features"]} == open_ids and open_ids
    located = [f for f in collection["features"] if f["geometry"]]
    assert located and located[0]["geometry"]["type"] == "Point"
    assert located[0]["properties"]["status"] in ("found", "rectifying", "supervised")


@pytest.mark.usefixtures("clean_jobs")
def test_a_cells_registers_come_as_one_zip_of_pdfs():
    officer = officer_of(CELL)
    export = built(officer, {"kind": "registers", "format": "zip", "filters": {"grid": CELL}})
    with zipfile.ZipFile(io.BytesIO(file_bytes(export))) as archive:
        names = archive.namelist()
        assert all(name.startswith(f"{CELL}/") and name.endswith(".pdf") for name in names)
        assert archive.read(names[0]).startswith(b"%PDF")
    assert len(names) == export.rows == enterprises_for_user(officer).count() > 0


def test_the_job_is_queued_in_the_requests_transaction(supervisor):
    def jobs() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'export_build'")
            return cursor.fetchone()[0]

    before = jobs()
    with pytest.raises(RuntimeError), transaction.atomic():
        export_request(requester=supervisor, kind="hazards", fmt="csv")
        assert jobs() == before + 1
        raise RuntimeError("the request fails after queueing")
    assert jobs() == before and not Export.objects.exists()


def test_the_31st_export_in_an_hour_is_refused_with_retry_after(supervisor):
    client = APIClient()
    client.force_authenticate(supervisor)
    for _ in range(30):
        assert client.post("/api/exports/", {"kind": "hazards", "format": "csv"}, format="json").status_code == 202
    response = client.post("/api/exports/", {"kind": "hazards", "format": "csv"}, format="json")
    assert response.status_code == 429
    assert 3500 <= int(response["Retry-After"]) <= 3600
    assert "每小时最多 30 次" in response.json()["detail"]
    assert Export.objects.filter(requester=supervisor).count() == 30


@pytest.mark.parametrize("body,field,words", [
    ({"kind": "enterprises", "format": "csv", "filters": {"colour": "red"}}, "filters", "colour"),
    ({"kind": "hazards", "format": "csv", "filters": {"due_from": "明天"}}, "filters", "due_from"),
    ({"kind": "registers", "format": "csv"}, "format", "zip"),
    ({"kind": "registers", "format": "zip", "filters": {"grid": "999"}}, "filters", "999"),
    ({"kind": "patrols", "format": "csv"}, "kind", ""),
])
def test_a_wrong_request_names_its_field_and_queues_nothing(supervisor, body, field, words):
    client = APIClient()
    client.force_authenticate(supervisor)
    response = client.post("/api/exports/", body, format="json")
    assert response.status_code == 400
    assert words in json.dumps(response.json()[field], ensure_ascii=False)
    assert not Export.objects.exists() and not RateLimitHit.objects.exists()


def test_my_exports_page_lists_mine_and_expired_ones_go(client, supervisor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    export = export_request(requester=supervisor, kind="enterprises", fmt="xlsx", filters={"grid": "120118108"})
    client.force_login(supervisor)
    page = client.post("/exports/", {"kind": "hazards", "fmt": "csv", "grid": ""}, follow=True)
    assert page.status_code == 200 and "已提交导出申请" in page.content.decode()
    assert "grid=120118108" in page.content.decode() and page.content.decode().count("排队中") == 2
    name = default_storage.save("exports/old.csv", io.BytesIO(b"x"))
    from django.utils import timezone

    Export.objects.filter(pk=export.pk).update(status="done", file=name, expires_at=timezone.now())
    assert exports_expire() == 1
    assert not default_storage.exists(name) and not Export.objects.filter(pk=export.pk).exists()
