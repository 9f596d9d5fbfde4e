import pytest

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db


def wait_for_layers(page):
    # A selector, not a JS predicate: the page's CSP forbids eval, which predicates use.
    page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)


def test_supervisor_sees_the_grid_map_with_no_outside_request(open_page, live_site):
    page, watch = open_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    login(page, live_site, "supervisor")
    assert page.url.endswith("/overview/")
    page.goto(f"{live_site.url}/map/")
    wait_for_layers(page)
    # SVG paths: 1 outline + 23 level-I + 432 level-II polygons + the river lines.
    drawn = page.locator("path.leaflet-interactive").count()
    assert drawn >= 1 + 23 + 432
    assert page.locator(".leaflet-control-layers-overlays label").all_inner_texts() == [
        " 区界", " 一级网格", " 二级网格", " 河流"]
    assert "图例" in page.locator(".gridmap-legend").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map.png"))
    assert watch.failed == [] and watch.bad_status == []
    assert watch.external() == []
    # The Content-Security-Policy refused nothing that the page needs.
    assert [m for m in console if "Content Security Policy" in m] == []


def test_clicking_a_cell_shows_its_name_code_parent_and_officers(open_page, live_site):
    page, watch = open_page()
    login(page, live_site, "supervisor")
    page.goto(f"{live_site.url}/map/")
    wait_for_layers(page)
    # Hide the layers drawn above the cells, then click the middle of the map.
    for label in ("区界", "一级网格", "河流"):
        page.locator(".leaflet-control-layers-overlays label", has_text=label).click()
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    for label in ("二级网格", "名称", "编码", "上级网格", "网格员"):
        assert label in text
    assert "120118" in text and "（未配置）" not in text
    assert watch.failed == []


def test_anonymous_visitor_is_sent_to_login(open_page, live_site):
    page, _ = open_page()
    page.goto(f"{live_site.url}/map/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "登录"
