
"""An officer on a phone: the cell map, "where am I", a patrol with a photo, its history."""

import re

import pytest

from tests.factories import inside, officer_of

from .conftest import ARTIFACTS, fill_patrol, login

pytestmark = pytest.mark.django_db
CELL = "120118113-001"  # used by this test only: the live server commits what it records


def wait_for_layers(page):
    # Selectors, not JS predicates: the page's CSP forbids the eval that predicates use.
    page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)


def test_officer_on_a_phone_records_a_patrol_with_a_photo(open_page, live_site, browser, tmp_path):
    officer = officer_of(CELL)
    lon, lat = inside(CELL)
    page, watch = open_page(width=390, height=844, mobile=True)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 10})

    login(page, live_site, officer.username)
    assert page.url.endswith("/my-cell/")
    wait_for_layers(page)
    assert page.locator("#cell-name").inner_text() != ""
    assert CELL in page.locator(".cell-head").inner_text()
    # The cell outline is drawn (one polygon) with the level-I outline around it.
    assert page.locator("path.leaflet-interactive").count() >= 2
    assert page.locator(".leaflet-control-layers-overlays label").all_inner_texts() == [
        " 所属一级网格", " 二级网格", " 企业", " 巡查记录", " 检查任务", " 未销号隐患"]
    assert page.get_by_role("heading", name=re.compile(r"^本网格企业（\d+）$")).is_visible()
    page.wait_for_timeout(400)  # let the map finish zooming to the cell before the picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "officer-my-cell.png"))

    page.click("#where-am-i")
    page.locator(".where-cell").wait_for()
    assert CELL in page.locator("#where-result").inner_text()
    assert "这是您负责的网格" in page.locator("#where-result").inner_text()

    # Manual fallback: a GCJ-02 coordinate typed in.
    from gridmap.geo.coords import wgs84_to_gcj02

    glon, glat = wgs84_to_gcj02(lon, lat)
    page.fill("#where-form input[name=lon]", f"{float(glon):.6f}")
    page.fill("#where-form input[name=lat]", f"{float(glat):.6f}")
    page.select_option("#where-form select[name=crs]", "gcj02")
    page.click("#where-form button[type=submit]")
    page.locator("#where-result", has_text=CELL).wait_for()

    fill_patrol(page, tmp_path / "site.png", visited="静海某机械加工厂", notes="消防通道畅通，灭火器在有效期内。",
                size=(64, 48))
    # With signal the outbox sends the record at once and opens it.
    with page.expect_navigation():
        page.click("#patrol-form button[type=submit]")
    assert "/patrols/" in page.url and "巡查记录已保存" in page.locator(".messages").inner_text()
    wait_for_layers(page)

    image = page.locator(".photos img")
    assert image.count() == 1
    # The photo loads lazily: bring it into view and give it a moment.
    image.first.scroll_into_view_if_needed()
    for _ in range(50):
        if image.first.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert image.first.evaluate("img => img.naturalWidth") == 64
    history = page.locator("#history").inner_text()
    assert "巡查记录 · 新建" in history and "巡查照片 · 新建" in history
    assert "记录巡查" in history and officer.username in history
    page.screenshot(path=str(ARTIFACTS / "officer-patrol.png"), full_page=True)

    # And it is in the officer's list of patrols.
    page.goto(f"{live_site.url}/patrols/?cell={CELL}")
    assert "静海某机械加工厂" in page.locator("table.list").inner_text()
    assert watch.failed == [] and watch.bad_status == []
    assert watch.external() == []
