"""Reproductions from the attacker's probe (issue 23, item 5): a NUL byte in any parameter or
path, and a stock receipt of the integer column's maximum, each answer 400 (or a refusal)
naming the field, and change nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gridmap.flood.models import StockItem
from gridmap.inspections.models import Report
from tests.conftest import table_checksum
from tests.factories import inside, officer_of

pytestmark = pytest.mark.django_db
CELL = "120118105-001"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supervisor_page(supervisor):
    return client_for(supervisor)


NUL_GETS = [
    # (url, the parameter the answer must name)
    ("/api/layers/grids-level2.geojson?code=%00", "code"),
    ("/api/layers/enterprises.geojson?cell=120118105-001%00", "cell"),
    ("/api/layers/open-hazards.geojson?status=%00open", "status"),
    ("/api/layers/patrols.geojson?cell=%00", "cell"),
    ("/tiles/enterprises/12/3370/1550.mvt?cell=%00", "cell"),
    ("/api/grids/lookup/?lon=117%00&lat=38.9", "lon"),
    ("/api/grids/?cell=%00", "cell"),
    ("/api/grids/120118105-001%00/", "path"),
    ("/api/patrols/?cell=%00", "cell"),
    ("/enterprises/?q=%00", "q"),
    ("/cells/%00/", "path"),
    ("/inspections/hazards/?q=a%00b", "q"),
]


@pytest.mark.parametrize(("url", "field"), NUL_GETS)
def test_a_nul_byte_in_a_parameter_or_path_is_a_400_naming_it(supervisor_page, url, field):
    response = supervisor_page.get(url)
    assert response.status_code == 400, url
    text = response.content.decode()
    assert field in text and "空字符" in text


def test_a_nul_byte_in_the_web_report_form_is_a_400_and_stores_nothing():
    officer = officer_of(CELL)
    lon, lat = inside(CELL)
    count = Report.objects.count()
    response = client_for(officer).post("/inspections/reports/", {
        "description": "化工厂\x00异味", "lon": lon, "lat": lat, "reporter_name": "张三"})
    assert response.status_code == 400
    assert "description" in response.content.decode()
    assert Report.objects.count() == count


def test_a_nul_byte_in_a_json_body_is_a_400_naming_the_field(api_client):
    api_client.force_authenticate(officer_of(CELL))
    lon, lat = inside(CELL)
    response = api_client.post("/api/patrols/", {"lon": lon, "lat": lat, "visited": "化工厂\x00"}, format="json")
    assert response.status_code == 400 and "visited" in response.json()


def test_a_stock_receipt_of_the_integer_maximum_is_refused_naming_the_quantity():
    flood = get_user_model().objects.get(username="flood")
    item = StockItem.objects.order_by("pk").first()
    before = table_checksum("flood_stockitem", "flood_stockmovement")
    client = client_for(flood)
    response = client.post(f"/flood/stock/{item.pk}/move/", {"kind": "receive", "quantity": "2147483647"})
    assert response.status_code == 400
    assert "数量" in response.content.decode() and "1000000" in response.content.decode()
    assert table_checksum("flood_stockitem", "flood_stockmovement") == before


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(supervisor_page, settings):
    settings.GRIDMAP_MAX_REQUEST_BYTES = 1024
    response = supervisor_page.generic("POST", "/inspections/reports/", b"x" * 10,
                                       content_type="application/x-www-form-urlencoded",
                                       CONTENT_LENGTH="999999999")
    assert response.status_code == 413 and "过大" in response.content.decode()
