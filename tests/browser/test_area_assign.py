"""A supervisor draws a polygon (Leaflet.draw, mouse clicks), assigns every enterprise in it;
the tasks match a point-in-polygon check; the officer then signs in and sees the task."""

import datetime as dt

import pytest
from django.utils import timezone
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from gridmap.enterprises.models import Enterprise
from gridmap.inspections.models import InspectionTask
from gridmap.inspections.services import period_of

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db


def wait_for_layers(page):
    page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=30000)


def test_supervisor_draws_assigns_and_the_officer_sees_the_task(open_page, live_site):
    due = timezone.localdate() + dt.timedelta(days=650)  # a period no other test uses
    page, watch = open_page(width=1280, height=850)
    login(page, live_site, "supervisor")
    page.goto(f"{live_site.url}/inspections/area/")
    wait_for_layers(page)
    page.fill("#due-date", due.isoformat())
    box = page.locator(".folium-map").bounding_box()
    cx, cy = box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5

    page.click(".leaflet-draw-draw-polygon")
    corners = [(-30, -25), (35, -30), (40, 30), (-25, 35)]
    for dx, dy in corners:
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(150)
    page.mouse.click(cx + corners[0][0], cy + corners[0][1])  # back on the first vertex closes it
    page.wait_for_selector(".area-count", timeout=15000)
    assert "区域内企业" in page.locator("#area-summary").inner_text()

    page.click("#assign-button")
    page.wait_for_selector("#assign-confirm:not([hidden])", timeout=30000)
    assert not InspectionTask.objects.filter(period=period_of(due), due_date=due).exists()  # asked first
    with page.expect_request("**/api/inspections/area/assign/") as sent:
        page.click("#confirm-button")
    page.wait_for_selector(".assign-done", timeout=30000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspections-area-assign.png"))
    polygon = shape(sent.value.post_data_json["polygon"])

    tasks = InspectionTask.objects.filter(period=period_of(due), due_date=due).select_related("cell", "assignee",
                                                                                               "enterprise")
    inside = {e.pk for e in Enterprise.objects.filter(cell__isnull=False)
              if polygon.covers(ShapelyPoint(e.location.x, e.location.y))}
    assert inside and set(tasks.values_list("enterprise_id", flat=True)) == inside
    assert f"新建检查任务 {len(inside)} 项" in page.locator("#assign-result").inner_text()

    # Doing it again would create nothing new, and says so before anything is written.
    page.click("#assign-button")
    page.wait_for_selector("#confirm-detail >> text=未重复分配", timeout=30000)
    assert page.locator("#confirm-button").is_disabled()
    assert tasks.count() == len(inside)

    task = tasks.order_by("id").first()  # the page lists due date, then id, first
    officer_page, _ = open_page(width=390, height=844, mobile=True)
    login(officer_page, live_site, task.assignee.username)
    officer_page.goto(f"{live_site.url}/my-cell/?cell={task.cell.code}")
    officer_page.locator("#my-tasks", has_text=task.enterprise.name).wait_for()
    wait_for_layers(officer_page)
    officer_page.screenshot(path=str(ARTIFACTS / "inspections-officer-task.png"))
    officer_page.click(f"#my-tasks >> text={task.enterprise.name}")
    officer_page.wait_for_selector("#task-status")
    assert officer_page.locator("#task-status").inner_text() == "已分配"
    assert not watch.external()
