"""The grid officer's offline-first phone app: the cell opens without signal, a patrol with a
photo recorded offline waits in the outbox across reloads and goes up exactly once when the
signal is back; every officer page fits a 360 px screen."""

import re
from urllib.parse import urlparse

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from gridmap.accounts.models import DeviceToken
from gridmap.grids.models import Grid
from gridmap.patrols.models import Patrol
from tests.concurrency import committed
from tests.factories import inside, officer_of

from .conftest import ARTIFACTS, fill_patrol, login

pytestmark = pytest.mark.django_db
# Cells the other browser tests use: the live server commits what this test records.
OTHER_TESTS = ("120118108-", "120118113-")


def cell_with_most_enterprises(exclude=()):
    cells = Grid.objects.filter(level=Grid.Level.LEVEL_2, assignments__role="cell_officer")
    for prefix in OTHER_TESTS + tuple(exclude):
        cells = cells.exclude(code__startswith=prefix)
    return cells.annotate(n=Count("enterprises", distinct=True)).order_by("-n", "code").first()


def outbox_count(page):
    return page.locator("[data-outbox-count]")


def submit_offline(page, form: str, result: str, screenshot: str):
    """Submit a form without signal: the record waits in the outbox, also after a reload."""
    page.click(f"{form} button[type=submit]")
    expect(page.locator(result)).to_contain_text("待上传")
    expect(outbox_count(page)).to_have_text("1")
    page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    page.reload()
    expect(outbox_count(page)).to_have_text("1")


def test_a_patrol_recorded_offline_goes_up_once_when_the_signal_is_back(open_page, live_site, tmp_path):
    cell = cell_with_most_enterprises()
    officer = officer_of(cell.code)
    lon, lat = inside(cell.code)
    before = Patrol.objects.filter(officer=officer).count()
    devices_before = DeviceToken.objects.filter(user=officer).count()
    page, _watch = open_page(width=390, height=844, mobile=True)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 10})

    login(page, live_site, officer.username)
    assert page.url.endswith("/my-cell/")
    page.wait_for_selector("body[data-offline-ready]", state="attached", timeout=60000)
    enterprises = page.locator("ul.enterprises li").all_inner_texts()
    assert enterprises

    # No signal: the cell, its enterprises and the map's outline still come up.
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#cell-name")).to_have_text(cell.name)
    assert page.locator("ul.enterprises li").all_inner_texts() == enterprises
    page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)
    assert page.locator("path.leaflet-interactive").count() >= 1
    expect(outbox_count(page)).to_have_text("0")
    page.wait_for_timeout(400)  # the map zooms to the cell
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "field-offline-map.png"))

    # "Where am I" answers from the cells kept on the phone.
    page.click("#where-am-i")
    expect(page.locator("#where-result")).to_contain_text(cell.code)
    expect(page.locator("#where-result")).to_contain_text("这是您负责的网格")
    page.screenshot(path=str(ARTIFACTS / "field-offline-where.png"))

    # A patrol with a photo, recorded without signal, waits in the outbox.
    fill_patrol(page, tmp_path / "site.png", visited="离线巡查测试点", notes="无信号时记录，恢复网络后上传。",
                size=(2400, 1200))
    expect(page.locator("#photo-list img")).to_have_count(1)
    submit_offline(page, "#patrol-form", "#patrol-result", "field-offline-patrol.png")
    page.goto(f"{live_site.url}/outbox/")
    expect(page.locator(".outbox-item")).to_have_count(1)
    expect(page.locator(".outbox-state")).to_have_text("等待上传")
    page.screenshot(path=str(ARTIFACTS / "field-outbox.png"), full_page=True)
    assert Patrol.objects.filter(officer=officer).count() == before

    # Signal again: within 30 s the outbox is empty and the server holds exactly one patrol.
    page.context.set_offline(False)
    expect(outbox_count(page)).to_have_text("0", timeout=30000)
    expect(page.locator(".outbox-state")).to_have_text("已上传")
    patrols = Patrol.objects.filter(officer=officer)
    assert patrols.count() == before + 1
    patrol = patrols.order_by("-created_at").first()
    assert patrol.visited == "离线巡查测试点" and patrol.cell_id == cell.pk and patrol.client_id is not None
    # It went up with a device token of the officer's own, made once through the session.
    assert DeviceToken.objects.filter(user=officer).count() == devices_before + 1
    # The photo was scaled down on the phone to at most 1600 px.
    assert [(p.width, p.height) for p in patrol.photos.all()] == [(1600, 800)]
    page.reload()
    expect(outbox_count(page)).to_have_text("0")
    assert patrols.count() == before + 1


SKIP = re.compile(r"/(accounts/logout|admin|api/|media/|static/)|\.(csv|xlsx|pdf|geojson|json)$|/export")


def links(page, origin):
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        url = urlparse(href)
        if f"{url.scheme}://{url.netloc}" != origin or SKIP.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def pattern(path):
    return re.sub(r"\d+", "N", path.split("?")[0])


def test_every_officer_page_fits_a_360_px_phone(open_page, live_site):
    cell = cell_with_most_enterprises()
    officer = officer_of(cell.code)
    page, _watch = open_page(width=360, height=640, mobile=True)
    login(page, live_site, officer.username)
    landing = urlparse(page.url).path
    seen, queue = {pattern(landing): landing}, [(landing, 0)]
    too_wide = []
    while queue:
        path, depth = queue.pop(0)
        page.goto(live_site.url + path)
        if page.locator("html[data-layers-pending]").count():
            page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)
        width = page.evaluate("document.documentElement.scrollWidth")
        hidden = page.evaluate("[getComputedStyle(document.documentElement).overflowX,"
                               " getComputedStyle(document.body).overflowX]")
        if width > 360 or "hidden" in hidden or "clip" in hidden:
            too_wide.append((path, width, hidden))
            page.screenshot(path=str(ARTIFACTS / f"too-wide-{pattern(path).strip('/').replace('/', '-')}.png"))
        if depth < 2:
            for link in links(page, live_site.url):
                if pattern(link) not in seen:
                    seen[pattern(link)] = link
                    queue.append((link, depth + 1))
    assert len(seen) >= 10, seen
    assert too_wide == []


def test_an_inspection_recorded_offline_on_a_task_goes_up_once(open_page, live_site, tmp_path):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gridmap.enterprises.models import Enterprise
    from gridmap.inspections import services
    from gridmap.inspections.models import OPEN_TASK_STATUSES, Inspection, InspectionTask

    cell = cell_with_most_enterprises()
    officer = officer_of(cell.code)
    today = timezone.localdate()

    def make_task():
        busy = InspectionTask.objects.filter(status__in=OPEN_TASK_STATUSES, period=services.period_of(today))
        enterprise = (Enterprise.objects.filter(cell=cell).exclude(pk__in=busy.values("enterprise_id"))
                      .order_by("pk").first())
        return services.tasks_assign(actor=get_user_model().objects.get(username="supervisor"),
                                     enterprise_ids=[enterprise.pk], due_date=today + dt.timedelta(days=10),
                                     assignee=officer).created[0]

    task = committed(make_task)
    try:
        page, _watch = open_page(width=390, height=844, mobile=True)
        login(page, live_site, officer.username)
        # The package lists the task's page: it is kept on the phone before it is ever opened.
        page.wait_for_selector("body[data-offline-ready]", state="attached", timeout=60000)
        page.context.set_offline(True)
        page.goto(f"{live_site.url}/inspections/tasks/{task.pk}/")
        expect(page.locator("h1")).to_contain_text(task.enterprise.name)

        # The checklist, findings and a photo, recorded without signal, wait in the outbox.
        choices = page.locator("#inspect-form input[type=radio][value=ok]")
        assert choices.count() >= 3
        for index in range(choices.count()):
            choices.nth(index).check()
        page.fill("#inspect-form textarea[name=findings]", "离线检查：现场未见异常。")
        photo = tmp_path / "inspection.png"
        from tests.factories import png_bytes

        photo.write_bytes(png_bytes(2000, 1000))
        page.set_input_files("#inspect-form input[name=photos]", str(photo))
        expect(page.locator("#inspect-photo-list img")).to_have_count(1)
        submit_offline(page, "#inspect-form", "#inspect-result", "field-offline-inspection.png")
        assert not Inspection.objects.filter(task_id=task.pk).exists()

        # Signal again: within 30 s the outbox is empty and the task holds exactly one record.
        page.context.set_offline(False)
        expect(outbox_count(page)).to_have_text("0", timeout=30000)
        records = Inspection.objects.filter(task_id=task.pk)
        assert records.count() == 1
        record = records.get()
        assert record.client_id is not None and record.recorded_by_id == officer.pk
        assert record.findings == "离线检查：现场未见异常。"
        assert {item["result"] for item in record.checklist} == {"ok"} and len(record.checklist) == choices.count()
        assert [(p.width, p.height) for p in record.photos.all()] == [(1600, 800)]
        assert InspectionTask.objects.get(pk=task.pk).status == "done"
        page.reload()
        expect(outbox_count(page)).to_have_text("0")
        assert records.count() == 1
    finally:
        committed(lambda: (Inspection.objects.filter(task_id=task.pk).delete(),
                           InspectionTask.objects.filter(pk=task.pk).delete()))


def test_a_report_recorded_offline_goes_up_once(open_page, live_site):
    from gridmap.inspections.models import Report

    cell = cell_with_most_enterprises()
    officer = officer_of(cell.code)
    lon, lat = inside(cell.code)
    page, _watch = open_page(width=390, height=844, mobile=True)
    login(page, live_site, officer.username)
    page.wait_for_selector("body[data-offline-ready]", state="attached", timeout=60000)
    page.context.set_offline(True)
    # The report page is in the package's page list: it opens without signal.
    page.goto(f"{live_site.url}/inspections/reports/")
    page.fill("#report-form textarea[name=description]", "离线举报：河堤旁有人倾倒废油。")
    page.fill("#report-form input[name=lon]", f"{lon:.6f}")
    page.fill("#report-form input[name=lat]", f"{lat:.6f}")
    submit_offline(page, "#report-form", "#report-result", "field-offline-report.png")
    mine = Report.objects.filter(created_by=officer, description="离线举报：河堤旁有人倾倒废油。")
    assert not mine.exists()

    page.context.set_offline(False)
    expect(outbox_count(page)).to_have_text("0", timeout=30000)
    assert mine.count() == 1 and mine.get().client_id is not None
    page.reload()
    expect(outbox_count(page)).to_have_text("0")
    assert mine.count() == 1


def test_a_situation_report_recorded_offline_goes_up_once(open_page, live_site):
    from gridmap.flood.events.models import SituationReport

    cell = cell_with_most_enterprises()
    officer = officer_of(cell.code)
    lon, lat = inside(cell.code)
    page, _watch = open_page(width=390, height=844, mobile=True)
    login(page, live_site, officer.username)
    page.wait_for_selector("body[data-offline-ready]", state="attached", timeout=60000)
    page.context.set_offline(True)
    # The situation-report page is in the package's page list: it opens without signal.
    page.goto(f"{live_site.url}/situation-reports/")
    page.select_option("#situation-form select[name=kind]", "seepage")
    page.select_option("#situation-form select[name=severity]", "serious")
    page.fill("#situation-form textarea[name=description]", "离线险情：堤脚渗水两处。")
    page.fill("#situation-form input[name=lon]", f"{lon:.6f}")
    page.fill("#situation-form input[name=lat]", f"{lat:.6f}")
    submit_offline(page, "#situation-form", "#situation-result", "field-offline-situation.png")
    mine = SituationReport.objects.filter(reporter=officer, description="离线险情：堤脚渗水两处。")
    assert not mine.exists()
    try:
        page.context.set_offline(False)
        expect(outbox_count(page)).to_have_text("0", timeout=30000)
        assert mine.count() == 1 and mine.get().client_id is not None
        assert (mine.get().kind, mine.get().severity, mine.get().cell_id) == ("seepage", "serious", cell.pk)
        page.reload()
        expect(outbox_count(page)).to_have_text("0")
        expect(page.locator("#situation-list")).to_contain_text("渗漏/管涌")
        assert mine.count() == 1
    finally:
        committed(lambda: SituationReport.objects.filter(reporter=officer).delete())
