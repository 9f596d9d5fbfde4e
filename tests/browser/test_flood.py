"""Flood command in Chromium: open the map, toggle layers, draw an area, read the impact (影响分析)."""

import pytest

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db


def test_flood_map_toggle_layers_draw_and_read_impact(open_page, live_site):
    page, watch = open_page(width=1400, height=900)
    login(page, live_site, "flood")
    page.goto(f"{live_site.url}/flood/")
    page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)
    overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    for title in ("防汛责任区", "蓄滞洪区", "分洪口门", "泵站", "水闸/涵洞", "防汛物资仓库", "抢险救援队伍"):
        assert any(title in label for label in overlays), title

    # Toggling a layer removes its features from the map and brings them back.
    # (The live stations, drawn and redrawn by flood_live.js, are not the layers toggled here.)
    markers = page.locator("path.leaflet-interactive:not(.station-marker)")
    before = markers.count()
    depots = page.locator(".leaflet-control-layers-overlays label", has_text="防汛物资仓库").locator("input")
    depots.uncheck()
    assert markers.count() == before - 8  # the sample has eight depots
    depots.check()
    assert markers.count() == before

    # Draw a polygon with Leaflet.draw: click the tool, click four corners, click the first again.
    page.click(".leaflet-draw-draw-polygon")
    box = page.locator(".folium-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 110, cy - 70), (cx + 60, cy - 90), (cx + 90, cy + 60), (cx - 70, cy + 80)]
    for x, y in corners:
        page.mouse.click(x, y)
        page.wait_for_timeout(120)
    page.mouse.click(*corners[0])

    page.wait_for_selector("#impact-list li", timeout=20000)
    summary = page.locator("#impact-summary").inner_text()
    assert summary.startswith("绘制范围：企业")
    items = page.locator("#impact-list li")
    assert items.count() > 0 and items.first.get_attribute("data-credit-code")
    assert page.locator("#depot-list li").count() == 5
    assert "m" in page.locator("#depot-list li").first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "flood-impact.png"))

    # The detail page for the same area opens from the list.
    page.click("#impact-page")
    page.wait_for_selector("#total-enterprises")
    # The live picture's poll in flight when the page is left is aborted by the navigation.
    failed = [f for f in watch.failed if "/api/flood/situation/" not in f]
    assert watch.external() == [] and failed == []
    assert not [s for s in watch.bad_status if "/favicon" not in s]


def test_officer_cannot_open_flood_map(open_page, live_site):
    page, _ = open_page()
    login(page, live_site, "officer0001")
    response = page.goto(f"{live_site.url}/flood/")
    assert response.status == 403
