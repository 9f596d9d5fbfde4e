"""Flood command runs an event in Chromium: the event page with its map (level-I grids
coloured by the roll call), the unanswered posts standing out, the timeline; a click on the
map picks a dispatch's destination."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from gridmap.flood.events import services
from gridmap.flood.events.models import Event
from tests.concurrency import committed

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db


def make_event():
    command = get_user_model().objects.get(username="flood")
    event = services.event_open(actor=command, name="暴雨（浏览器测试）", kind="rainstorm", level=4,
                                started_at=timezone.now() - dt.timedelta(hours=3))
    services.event_set_level(actor=command, event=event, level=2, reason="雨量超过 100 毫米")
    services.consultation_record(actor=command, event=event, topic="防御会商", attendees="区水务局、区气象局",
                                 decisions="转移低洼地区群众")
    roll_call = services.roll_call_start(actor=command, event=event)
    for answer in roll_call.answers.filter(post__kind="grid").order_by("post__name")[:15]:
        services.roll_call_answer(actor=command, roll_call=roll_call, post=answer.post_id, answerer="值班员")
    return event.pk


def test_the_event_page_shows_the_roll_call_on_the_map_and_the_timeline(open_page, live_site):
    pk = committed(make_event)
    try:
        page, watch = open_page(width=1400, height=900)
        login(page, live_site, "flood")
        page.goto(f"{live_site.url}/flood/events/{pk}/")
        page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)
        expect(page.locator("#event-level")).to_have_text("Ⅱ级")
        unanswered = page.locator("#roll-call-list tr.unanswered")
        assert unanswered.count() == 23 - 15 + page.locator("#roll-call-list tr.unanswered small",
                                                            has_text="区级部门").count()
        # The unanswered come first and are marked.
        assert page.locator("#roll-call-list tr").nth(1).get_attribute("data-answered") == "false"
        # Level-I grids on the map, coloured: red unanswered, green answered.
        fills = page.eval_on_selector_all("path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))")
        assert fills.count("#ff1744") >= 8 and fills.count("#00c853") == 15
        kinds = page.locator("#event-timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert kinds[:1] == ["opened"] and {"level_change", "consultation", "roll_call"} <= set(kinds)
        # A click on the map fills the dispatch's destination.
        box = page.locator(".folium-map").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(page.locator("#dispatch-form input[name=lon]")).not_to_have_value("")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "flood-event.png"))
        assert watch.external() == [] and watch.failed == []
        assert not [s for s in watch.bad_status if "/favicon" not in s]

        # The sample's Lekima event: closed, with its dispatch, reports and summary.
        lekima = Event.objects.get(name="2019年第9号台风利奇马")
        page.goto(f"{live_site.url}/flood/events/{lekima.pk}/")
        page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=20000)
        expect(page.locator("#dispatches")).to_contain_text("已撤回")
        kinds = page.locator("#event-timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert {"dispatch", "recall", "situation_report", "closed"} <= set(kinds)
        page.screenshot(path=str(ARTIFACTS / "flood-event-lekima.png"))
    finally:
        committed(lambda: Event.objects.filter(pk=pk).delete())
