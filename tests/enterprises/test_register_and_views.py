"""Register HTML/PDF, the batch command, the dashboard, layers and exports, with the scope
rule: an officer never receives another cell's enterprise."""

import io
import json
import shutil
import subprocess

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from openpyxl import load_workbook

from gridmap.enterprises.models import Enterprise
from gridmap.enterprises.register import register_pdf
from gridmap.enterprises.selectors import enterprises_for_user, risk_points_for_user
from gridmap.enterprises.services import enterprise_save
from gridmap.grids.models import GridAssignment

pytestmark = pytest.mark.django_db


def officer_and_cell():
    assignment = GridAssignment.objects.filter(
        role="cell_officer", grid__enterprises__isnull=False, grid__level=2).first()
    return assignment.user, assignment.grid


@pytest.fixture
def key_enterprise():
    return Enterprise.objects.filter(supervision_class="key", site__isnull=False).order_by("id")[0]


def test_register_pdf_has_chinese_text_and_two_pages_or_more(supervisor, key_enterprise, tmp_path):
    enterprise = enterprises_for_user(supervisor).get(pk=key_enterprise.pk)
    pdf = register_pdf(enterprise, list(risk_points_for_user(supervisor, enterprise=enterprise)))
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        text = text.replace(" ", "")
        assert enterprise.name in text and "安全风险四色分布图" in text and "第1页/共" in text


def test_register_page_and_pdf_download(client, supervisor, key_enterprise):
    client.force_login(supervisor)
    page = client.get(f"/enterprises/{key_enterprise.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert key_enterprise.name in body and "<svg" in body and "管控层级" in body
    pdf = client.get(f"/enterprises/{key_enterprise.pk}/register.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_officer_of_another_cell_gets_nothing(client, api_client):
    officer, cell = officer_and_cell()
    other = Enterprise.objects.exclude(cell=cell).first()
    client.force_login(officer)
    assert client.get(f"/enterprises/{other.pk}/").status_code == 404
    assert client.get(f"/enterprises/{other.pk}/register.pdf").status_code == 404
    api_client.force_authenticate(officer)
    data = json.loads(api_client.get("/api/layers/enterprises.geojson").content)
    codes = {f["properties"]["cell_code"] for f in data["features"]}
    assert codes == {cell.code}
    assert len(data["features"]) == Enterprise.objects.filter(cell=cell).count()
    exported = json.loads(client.get("/enterprises/export.geojson").content)
    assert {f["properties"]["cell_code"] for f in exported["features"]} == {cell.code}


def test_enterprise_layer_carries_the_required_properties(supervisor_client,
                                                           django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = supervisor_client.get("/api/layers/enterprises.geojson?grid=120118108")
    feature = json.loads(response.content)["features"][0]
    assert {"name", "credit_code", "cell_code", "risk_level"} <= set(feature["properties"])
    layers = {layer["name"]: layer for layer in supervisor_client.get("/api/layers/").json()["layers"]}
    assert layers["enterprises"]["style_by"]["values"]["major"] == "#e63031"
    assert {"risk-points", "register-completeness"} <= set(layers)


def test_exports_guard_against_formula_injection(client, supervisor):
    enterprise_save(credit_code="91110000600037341L", location=Point(116.995172, 38.828028),
                    name='=HYPERLINK("http://evil","点我")', industry_code="3130")
    client.force_login(supervisor)
    query = "?q=91110000600037341L"
    csv_text = client.get("/enterprises/export.csv" + query).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    book = load_workbook(io.BytesIO(client.get("/enterprises/export.xlsx" + query).content))
    cell = book.active["B2"]
    assert cell.value == '=HYPERLINK("http://evil","点我")' and cell.data_type == "s"
    geojson = client.get("/enterprises/export.geojson" + query).json()
    assert len(geojson["features"]) == 1


def test_list_filters_and_dashboard(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/enterprises/?grid=120118108&risk_level=major")
    assert page.status_code == 200 and "大邱庄" in page.content.decode()
    dashboard = client.get("/registers/")
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert "一企一册完整情况" in body and "register-completeness" in body
    assert client.get("/registers/map/").status_code == 200
    layer = client.get("/api/layers/register-completeness.geojson").json()
    bands = {f["properties"]["completeness_band"] for f in layer["features"]}
    assert len(layer["features"]) == 432 and len(bands) >= 3


def test_batch_command_for_a_grid(tmp_path, supervisor):
    call_command("build_registers", grid="120118108", out=str(tmp_path), limit=3,
                 user="supervisor")
    files = list(tmp_path.rglob("*.pdf"))
    assert len(files) == 3 and all(f.read_bytes().startswith(b"%PDF") for f in files)
