"""Every page of every role in Chromium (tests/browser/pages.py), maps loaded: no visible
English word outside the allowed names, no refusal or server error, the error page in Chinese.

With GRIDMAP_SCREENSHOTS=<folder> (make screenshots) each page is also saved as a PNG there,
small: the officer's pages at a phone's size, the others at 1280×800, 256 colours."""

import os
import re
from pathlib import Path

import pytest

from .conftest import login
from .pages import role_pages

pytestmark = pytest.mark.django_db

# Names and units that are spelled in Latin letters in Chinese texts too.
ALLOWED = {"API", "PDF", "GeoJSON", "CSV", "Excel", "WGS84", "GCJ-02", "BD-09", "CGCS2000", "ID", "URL",
           "km", "m", "mm", "kg", "kW", "ms", "MB", "LEC", "LS", "MES", "GB", "AQ", "JSON", "PNG", "JPEG", "WebP",
           "GPS", "Ctrl",
           # GIS standards and software, named as they are in Chinese texts (the OGC API pages).
           "GIS", "OGC", "OpenAPI", "QGIS", "ArcGIS", "GDAL", "WFS"}
# A run of Latin letters, digits, "-" and "_"; runs with a digit or "_" are codes, usernames and
# field names (data, not words), and a single letter is a class mark (行业门类 C, 风险 A–D).
WORD = re.compile(r"[A-Za-z0-9_\-]*[A-Za-z][A-Za-z0-9_\-]*")
SHOTS = os.environ.get("GRIDMAP_SCREENSHOTS")
# The page's title and visible text, without <code> (file columns and names to type as shown).
VISIBLE_TEXT = """() => {
  const codes = [...document.querySelectorAll("code")];
  codes.forEach((code) => { code.dataset.display = code.style.display; code.style.display = "none"; });
  const text = document.body.innerText;
  codes.forEach((code) => { code.style.display = code.dataset.display; });
  return document.title + "\\n" + text;
}"""


@pytest.fixture(scope="module")
def pages_by_role(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return {pages.role: pages for pages in role_pages()}


@pytest.fixture(scope="module")
def usernames(django_db_setup, django_db_blocker) -> set[str]:
    """Usernames are data shown as typed (a history's "姓名（username）"), not words."""
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock():
        return set(get_user_model().objects.exclude(username__regex=r"[0-9]").values_list("username", flat=True))


def english_words(text: str) -> set[str]:
    words = {w.strip("-") for w in WORD.findall(text)}
    return {w for w in words if len(w) > 1 and not re.search(r"[0-9_]", w)} - ALLOWED


def settle(page):
    """Wait for a map's layers (if the page has a map) to finish loading."""
    if page.locator("html[data-layers-pending]").count():
        page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)
    page.wait_for_timeout(150)


def shot_name(role: str, url: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"
    return f"{role}--{slug}.png"


def save_small(page, path: Path):
    from PIL import Image

    page.screenshot(path=str(path))
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


@pytest.mark.parametrize("role", ["grid_officer", "grid_head", "bureau_staff", "flood_command", "administrator",
                                  "law_enforcement", "gauge_feed", "enterprise"])
def test_every_page_of_a_role_is_in_chinese(role, pages_by_role, usernames, open_page, live_site):
    pages = pages_by_role[role]
    page, watch = open_page(**pages.viewport)
    login(page, live_site, pages.username)
    found, refused = {}, []
    for url in pages.urls:
        response = page.goto(f"{live_site.url}{url}")
        expected = 404 if url == "/no-such-page/" else 200
        if response.status != expected:
            refused.append(f"{response.status} {url}")
        settle(page)
        text = page.evaluate(VISIBLE_TEXT)
        words = english_words(text) - usernames
        if words:
            found[url] = sorted(words)
        if SHOTS:
            folder = Path(SHOTS)
            folder.mkdir(parents=True, exist_ok=True)
            save_small(page, folder / shot_name(role, url))
            with open(folder / "pages.tsv", "a", encoding="utf-8") as listing:
                listing.write(f"{role}\t{url}\t{shot_name(role, url)}\n")
    assert refused == [], refused
    assert found == {}, "\n".join(f"{url}: {' '.join(words)}" for url, words in found.items())
    assert watch.external() == []


def test_the_browsers_own_validation_message_is_chinese(open_page, live_site):
    page, _ = open_page()
    page.goto(f"{live_site.url}/accounts/login/")
    page.click("button[type=submit]")
    assert page.evaluate("() => document.querySelector('#id_username').validationMessage") == "请填写此项。"
    page.fill("#id_username", "supervisor")
    assert page.evaluate("() => document.querySelector('#id_username').validationMessage") == ""
