"""The supervisor's desk in a browser: cells clicked on the area page (never the level-I
outline), two enterprises unticked, "分配 N 家企业？" confirmed, exactly N − 2 tasks spread
over the cells' officers, the batch undone the same day; a list's filters round-trip through
the URL; an officer's statistics page speaks of their cell only."""

import datetime as dt
from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from gridmap.grids.models import GridAssignment
from gridmap.grids.scope import on_duty_on
from gridmap.inspections.models import AssignmentBatch, InspectionTask
from gridmap.inspections.services import period_of
from tests.factories import officer_of

from .conftest import ARTIFACTS, login
from .test_area_assign import wait_for_layers

pytestmark = pytest.mark.django_db
CELL = "120118402-003"  # two officers on duty, more than 100 enterprises


def click_cell(page, code):
    """Click the cell's own polygon where it is drawn (its point on surface, projected)."""
    from gridmap.grids.models import Grid

    point = Grid.objects.get(code=code).geom.point_on_surface
    page.evaluate("([lat, lon]) => window.gridmapArea.map.setView([lat, lon], 15)", [point.y, point.x])
    page.wait_for_timeout(400)
    xy = page.evaluate("([lat, lon]) => { const p = window.gridmapArea.map.latLngToContainerPoint([lat, lon]);"
                       " return [p.x, p.y]; }", [point.y, point.x])
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])


def test_supervisor_assigns_a_cell_minus_two_spread_evenly_then_undoes(open_page, live_site):
    due = timezone.localdate() + dt.timedelta(days=800)  # a period no other test uses
    page, watch = open_page(width=1366, height=900)
    login(page, live_site, "supervisor")
    page.goto(f"{live_site.url}/inspections/area/")
    wait_for_layers(page)
    assert page.locator(".leaflet-draw-draw-polygon").get_attribute("title") == "绘制多边形"
    page.fill("#due-date", due.isoformat())
    click_cell(page, CELL)
    page.wait_for_selector(".area-count", timeout=15000)
    boxes = page.locator("#area-list input[name=enterprise]")
    found = boxes.count()
    assert found > 50 and f"已勾选 {found} 家" in page.locator("#area-summary").inner_text()
    unticked = [int(boxes.nth(i).get_attribute("value")) for i in (3, 10)]
    boxes.nth(3).uncheck()
    boxes.nth(10).uncheck()
    assert f"已勾选 {found - 2} 家" in page.locator("#area-summary").inner_text()

    page.click("#assign-button")
    page.wait_for_selector("#assign-confirm:not([hidden])")
    assert page.locator("#confirm-question").inner_text() == f"分配 {found - 2} 家企业？"
    tasks = InspectionTask.objects.filter(period=period_of(due), due_date=due)
    assert not tasks.exists()  # nothing is written before the confirmation
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspections-area-confirm.png"))
    page.click("#confirm-button")
    page.wait_for_selector(".assign-done", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "inspections-area-assigned.png"))

    assert tasks.count() == found - 2
    assert not tasks.filter(enterprise_id__in=unticked).exists()
    duties = GridAssignment.objects.filter(on_duty_on(timezone.localdate()), grid__code=CELL,
                                           role=GridAssignment.Duty.CELL_OFFICER)
    officers = set(duties.values_list("user_id", flat=True))
    counts = Counter(tasks.values_list("assignee_id", flat=True))
    assert set(counts) == officers and len(officers) == 2
    assert max(counts.values()) - min(counts.values()) <= 1
    # The legend stays on screen beside the result.
    legend = page.locator(".gridmap-legend").first.bounding_box()
    assert legend["y"] + legend["height"] <= 900

    batch = AssignmentBatch.objects.get(tasks__in=tasks[:1])
    with page.expect_navigation():
        page.click("#undo-batch")
    assert "已撤销" in page.locator(".messages").inner_text()
    assert not tasks.exists()
    batch.refresh_from_db()
    assert batch.undone_at is not None
    # The map came back where it was (the cell's zoom), not fitted to the district again.
    wait_for_layers(page)
    assert page.evaluate("window.gridmapArea.map.getZoom()") == 15
    assert not watch.external()


def test_task_and_hazard_lists_keep_their_filters_in_the_url(open_page, live_site):
    page, _watch = open_page(width=1366, height=900)
    login(page, live_site, "supervisor")
    page.goto(f"{live_site.url}/inspections/hazards/")
    page.select_option("select[name=grid]", "120118108")
    page.select_option("select[name=sort]", "due")
    with page.expect_navigation():
        page.click(".list-filters button[type=submit]")
    query = parse_qs(urlparse(page.url).query)
    assert query["grid"] == ["120118108"] and query["sort"] == ["due"] and query["status"] == ["open"]
    count = page.locator(".list-count").inner_text()
    page.screenshot(path=str(ARTIFACTS / "inspections-hazard-list.png"), full_page=True)
    page.reload()
    assert page.locator("select[name=grid]").input_value() == "120118108"
    assert page.locator(".list-count").inner_text() == count
    href = page.locator(".export-link").get_attribute("href")
    assert "grid=120118108" in href and "sort=due" in href
    if page.locator(".pager a[rel=next]").count():
        with page.expect_navigation():
            page.click(".pager a[rel=next]")
        assert parse_qs(urlparse(page.url).query)["grid"] == ["120118108"]


def test_an_officers_statistics_speak_of_their_cell(open_page, live_site):
    officer = officer_of("120118108-001")
    page, _watch = open_page(width=1366, height=900)
    login(page, live_site, officer.username)
    page.goto(f"{live_site.url}/inspections/statistics/")
    text = page.locator("main").inner_text()
    assert "本网格合计" in text and "全区合计" not in text
    assert page.locator(".stats-map").bounding_box()["height"] >= 480
