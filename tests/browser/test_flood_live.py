"""The command map keeps itself current (issue 17): a reading posted through the API turns its
station's entry on /flood/ within 5 s without a reload; a dropped connection keeps the last
picture and says how old it is."""

import json

import pytest
from playwright.sync_api import expect

from tests.concurrency import committed

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db
CODE = "PW-W1"


@pytest.fixture
def station_and_token():
    from django.contrib.auth import get_user_model

    from gridmap.accounts.services import device_token_create
    from gridmap.flood.models import Station

    def make():
        station = Station.objects.create(code=CODE, name="浏览器测试水位站", kind="water_level",
                                         location="SRID=4326;POINT(116.95 38.93)",
                                         warning_level=5.0, guarantee_level=6.0)
        return station.pk, device_token_create(user=get_user_model().objects.get(username="gauge"))[1]

    pk, token = committed(make)
    yield token
    committed(lambda: Station.objects.filter(pk=pk).delete())


def post_reading(page, live_site, token, value):
    from django.utils import timezone

    response = page.request.post(
        f"{live_site.url}/api/flood/readings/",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        data=json.dumps({"readings": [{"station": CODE, "time": timezone.now().isoformat(), "value": value}]}))
    assert response.status == 200, response.text()


def test_a_posted_reading_turns_the_station_on_the_open_map(open_page, live_site, station_and_token):
    page, watch = open_page(width=1400, height=900)
    statuses = []
    page.on("response", lambda r: "/api/flood/situation/" in r.url and statuses.append(r.status))
    login(page, live_site, "flood")
    page.goto(f"{live_site.url}/flood/")
    expect(page.locator("#live-status")).to_contain_text("实时数据", timeout=10000)
    entry = page.locator(f'#station-list [data-station="{CODE}"]')
    expect(entry).to_have_count(0)
    page.evaluate("window.marker = 1")  # gone after a reload

    post_reading(page, live_site, station_and_token, 5.4)
    expect(entry).to_have_attribute("data-state", "warning", timeout=5000)
    post_reading(page, live_site, station_and_token, 6.3)
    expect(entry).to_have_attribute("data-state", "danger", timeout=5000)
    expect(entry).to_contain_text("超保证")
    assert page.evaluate("window.marker") == 1
    page.wait_for_timeout(2500)
    assert 304 in statuses, statuses  # an unchanged picture is revalidated, not sent again
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "flood-live.png"))

    # The connection drops: the last picture stays, with its age, and the page retries.
    page.route("**/api/flood/situation/**", lambda route: route.abort())
    expect(page.locator("#live-status")).to_contain_text("连接中断", timeout=6000)
    expect(page.locator("#live-status")).to_contain_text("秒前的数据")
    expect(entry).to_have_attribute("data-state", "danger")
    page.screenshot(path=str(ARTIFACTS / "flood-live-offline.png"))
    page.unroute("**/api/flood/situation/**")
    expect(page.locator("#live-status")).to_contain_text("实时数据", timeout=6000)

    # Back under the warning level: the station leaves the list.
    post_reading(page, live_site, station_and_token, 4.2)
    expect(entry).to_have_count(0, timeout=5000)
    assert page.evaluate("window.marker") == 1
    assert watch.external() == []
