"""Browser tests: Debian's Chromium driven by Playwright against a live server."""

import shutil
from urllib.parse import urlparse

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = settings.BASE_DIR / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            # Without the background-networking flags Chromium keeps calling hosts it cannot reach.
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


class PageWatch:
    """Every request a page makes, and those that failed or left this machine."""

    def __init__(self, page):
        self.requests, self.failed, self.bad_status = [], [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.bad_status.append(f"{r.status} {r.url}"))

    def external(self):
        return [u for u in self.requests
                if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).hostname not in ("127.0.0.1", "localhost")]


class LiveSite:
    def __init__(self, url):
        self.url = url


@pytest.fixture(scope="session")
def live_site(django_db_setup):
    """A threaded server on the test database, kept for the whole session.

    pytest-django's live_server forces transactional tests, which empty every table after
    each test and so would remove the sample district the session loaded once.
    """
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    thread = LiveServerThread("localhost", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield LiveSite(f"http://localhost:{thread.port}")
    thread.terminate()


@pytest.fixture
def open_page(browser, live_site, db):
    contexts = []

    def make(*, width=1280, height=850, mobile=False):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      is_mobile=mobile, has_touch=mobile, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page)

    yield make
    for context in contexts:
        context.close()


def login(page, live_site, username, password="gridmap-demo"):
    page.goto(f"{live_site.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    # The landing page is a map: let its layer requests finish, or a test that navigates on
    # at once sees them aborted (net::ERR_ABORTED) and counts them as failed requests.
    if page.locator("html[data-layers-pending]").count():
        page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)


def fill_patrol(page, photo_path, *, visited: str, notes: str, size: tuple[int, int]):
    """From the officer's cell page: open the patrol form, take the browser's position, type
    the visit and choose one photo of `size` (the submit is the caller's)."""
    from playwright.sync_api import expect

    from tests.factories import png_bytes

    page.click("text=记录巡查")
    page.wait_for_url("**/patrols/new/")
    page.click("#locate")
    expect(page.locator("#id_lon")).not_to_have_value("")
    page.fill("#id_visited", visited)
    page.fill("#id_notes", notes)
    photo_path.write_bytes(png_bytes(*size))
    page.set_input_files("#id_photos", str(photo_path))
