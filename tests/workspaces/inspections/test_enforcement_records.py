"""The pages of public exposures (公开曝光) and summons (约谈): lists in the user's scope, a
form for bureau staff that records through the service, refusals that name the field and
write nothing."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from gridmap.enterprises.credit_code import check_character, organisation_check_character
from gridmap.enterprises.services import enterprise_save
from gridmap.inspections import services
from gridmap.inspections.models import Exposure, Summons
from tests.conftest import table_checksum
from tests.factories import inside, officer_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MINE, THEIRS = "120118108-001", "120118108-002"
PAGES = {"exposures": ("/inspections/exposures/", "exposed_on", "medium", "曝光媒体"),
         "summonses": ("/inspections/summonses/", "held_on", "people", "约谈人数")}
TABLES = ("inspections_exposure", "inspections_summons")


def signed_in(user, csrf=False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def supervisor():
    return get_user_model().objects.get(username="supervisor")


def enterprise_at(lon, lat, serial: str, name: str):
    organisation = f"MA05E{serial}"
    body = f"91120118{organisation}{organisation_check_character(organisation)}"
    return enterprise_save(credit_code=body + check_character(body), location=Point(lon, lat, srid=4326),
                           name=name, industry_code="3130", supervision_class="general", status="operating")


@pytest.fixture
def enterprises():
    return (enterprise_at(*inside(MINE), "001", "曝光测试本网格企业"),
            enterprise_at(*inside(THEIRS), "002", "曝光测试他网格企业"))


def form_body(page: str, enterprise: str, overrides=None) -> dict:
    _, date_field, detail_field, _ = PAGES[page]
    body = {"enterprise": enterprise, date_field: TODAY.isoformat(),
            detail_field: "静海区融媒体中心" if detail_field == "medium" else "2", "note": "网页记录测试"}
    return {**body, **(overrides or {})}


def test_an_officer_sees_only_the_rows_of_their_cell(enterprises):
    mine, theirs = enterprises
    boss = supervisor()
    for enterprise in (mine, theirs):
        services.exposure_record(actor=boss, enterprise=enterprise, exposed_on=TODAY, medium=f"媒体{enterprise.name}",
                                 note=f"曝光说明{enterprise.name}")
        services.summons_record(actor=boss, enterprise=enterprise, held_on=TODAY, people=4,
                                note=f"约谈说明{enterprise.name}")
    officer = signed_in(officer_of(MINE))
    for page in ("exposures", "summonses"):
        body = officer.get(PAGES[page][0]).content.decode()
        assert mine.name in body and theirs.name not in body and THEIRS not in body
        assert "记录人" in body and (boss.full_name or boss.username) in body
        assert 'id="record"' not in body and 'name="enterprise" maxlength' not in body  # no form without the right
    everything = signed_in(boss).get("/inspections/summonses/").content.decode()
    assert mine.name in everything and theirs.name in everything


def test_the_lists_are_newest_first_and_filter_by_year(enterprises):
    mine, _ = enterprises
    boss = supervisor()
    last_year = TODAY.replace(year=TODAY.year - 1, day=1)
    services.exposure_record(actor=boss, enterprise=mine, exposed_on=last_year, medium="去年的媒体")
    services.exposure_record(actor=boss, enterprise=mine, exposed_on=TODAY, medium="今年的媒体")
    web = signed_in(boss)
    body = web.get("/inspections/exposures/", {"enterprise": mine.pk}).content.decode()
    assert body.index("今年的媒体") < body.index("去年的媒体")
    filtered = web.get("/inspections/exposures/", {"enterprise": mine.pk, "year": last_year.year}).content.decode()
    assert "去年的媒体" in filtered and "今年的媒体" not in filtered


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_supervisor_records_through_the_form(page, enterprises, django_assert_max_num_queries):
    mine, _ = enterprises
    url = PAGES[page][0]
    web = signed_in(supervisor(), csrf=True)
    form = web.get(url, {"enterprise": mine.pk})
    text = form.content.decode()
    assert form.status_code == 200 and 'id="record"' in text and f'value="{mine.pk}"' in text
    assert "<script>" not in text and "onclick" not in text
    token = form.cookies["csrftoken"].value
    assert web.post(url, form_body(page, str(mine.pk))).status_code == 403  # no CSRF token
    response = web.post(url, {"csrfmiddlewaretoken": token, **form_body(page, mine.credit_code)})
    assert response.status_code == 302 and response["Location"] == url
    model = Exposure if page == "exposures" else Summons
    row = model.objects.get(enterprise=mine)
    assert row.recorded_by.username == "supervisor" and row.cell_id == mine.cell_id and row.note == "网页记录测试"
    with django_assert_max_num_queries(12):
        listed = web.get(response["Location"]).content.decode()
    assert "已记录" in listed and mine.name in listed and "网页记录测试" in listed


@pytest.mark.parametrize(("page", "overrides", "named"), [
    ("exposures", {"exposed_on": "2026-02-30"}, "曝光日期"),
    ("exposures", {"exposed_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "曝光日期"),
    ("exposures", {"medium": "   "}, "曝光媒体"),
    ("exposures", {"enterprise": "99999999"}, "企业"),
    ("summonses", {"held_on": "昨天"}, "约谈日期"),
    ("summonses", {"people": "0"}, "约谈人数"),
    ("summonses", {"enterprise": "91120118MA05EX999X"}, "企业"),
])
def test_a_refused_record_names_the_field_and_writes_nothing(page, overrides, named, enterprises):
    mine, _ = enterprises
    before = table_checksum(*TABLES)
    response = signed_in(supervisor()).post(PAGES[page][0], form_body(page, str(mine.pk), overrides))
    text = response.content.decode()
    assert response.status_code == 200 and f'<p class="error" role="alert">{named}' in text
    assert table_checksum(*TABLES) == before


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_same_record_sent_twice_is_refused_and_named(page, enterprises):
    """A form sent twice (a double click, a reload) would count twice in the statistics."""
    mine, _ = enterprises
    web = signed_in(supervisor())
    assert web.post(PAGES[page][0], form_body(page, str(mine.pk))).status_code == 302
    before = table_checksum(*TABLES)
    response = web.post(PAGES[page][0], form_body(page, str(mine.pk)))
    date_label = "曝光日期" if page == "exposures" else "约谈日期"
    text = response.content.decode()
    assert response.status_code == 200 and f'<p class="error" role="alert">{date_label}' in text
    assert mine.name in text and "已有" in text
    assert table_checksum(*TABLES) == before
    if page == "exposures":  # another medium the same day is another exposure
        assert web.post(PAGES[page][0], form_body(page, str(mine.pk), {"medium": "天津日报"})).status_code == 302


def test_every_wrong_field_is_named_at_once(enterprises):
    before = table_checksum(*TABLES)
    response = signed_in(supervisor()).post("/inspections/exposures/", form_body(
        "exposures", "99999999", {"exposed_on": "", "medium": ""}))
    text = response.content.decode()
    for named in ("企业", "曝光日期", "曝光媒体"):
        assert f'<p class="error" role="alert">{named}' in text
    assert 'value="99999999"' in text  # what was typed is kept
    assert table_checksum(*TABLES) == before


@pytest.mark.parametrize("page", sorted(PAGES))
def test_an_enterprise_outside_every_cell_is_refused(page):
    # Bureau staff see the whole district: what lies out of their scope is an enterprise
    # placed in no cell (outside the district).
    outside = enterprise_at(116.4, 39.9, "003", "区外企业")
    assert outside.cell_id is None
    before = table_checksum(*TABLES)
    response = signed_in(supervisor()).post(PAGES[page][0], form_body(page, outside.credit_code))
    assert '<p class="error" role="alert">企业' in response.content.decode() and "不在您的范围内" in \
        response.content.decode()
    assert table_checksum(*TABLES) == before


@pytest.mark.parametrize("page", sorted(PAGES))
def test_without_the_right_there_is_no_form_and_a_post_is_refused(page, enterprises):
    mine, _ = enterprises
    before = table_checksum(*TABLES)
    for user in (officer_of(MINE), get_user_model().objects.get(username="head01")):
        web = signed_in(user)
        assert 'id="record"' not in web.get(PAGES[page][0]).content.decode()
        assert web.post(PAGES[page][0], form_body(page, str(mine.pk))).status_code == 403
    assert table_checksum(*TABLES) == before


def test_the_menu_and_the_enterprise_page_link_the_lists(enterprises):
    mine, _ = enterprises
    web = signed_in(officer_of(MINE))
    body = web.get(f"/enterprises/{mine.pk}/").content.decode()
    assert f"/inspections/exposures/?enterprise={mine.pk}" in body and f"/inspections/summonses/?enterprise={mine.pk}" \
        in body
