"""The lists of a district's work: filters kept in the URL, pages of 50, the export holding
exactly what the list shows, and an officer's list holding only their cell; the statistics
page labels its totals with the viewer's scope."""

import csv
import io
from urllib.parse import parse_qs

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gridmap.inspections.models import OPEN_HAZARD_STATUSES, Hazard
from gridmap.inspections.statistics import NOT_HAZARDS
from gridmap.workspaces.lists import PER_PAGE
from gridmap.workspaces.templatetags.numbers import yuan
from tests.factories import officer_of

pytestmark = pytest.mark.django_db
TOWN = "120118108"


def signed_in(username_or_user) -> Client:
    user = username_or_user if not isinstance(username_or_user, str) else \
        get_user_model().objects.get(username=username_or_user)
    client = Client()
    client.force_login(user)
    return client


def exported(client, url) -> list[dict]:
    text = client.get(url).content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_hazard_filters_round_trip_through_the_url_and_the_export_matches():
    client = signed_in("supervisor")
    page = client.get("/inspections/hazards/", {"grid": TOWN, "status": "open", "sort": "due"})
    listed = page.context["page"]
    expected = Hazard.objects.filter(cell__parent__code=TOWN, status__in=OPEN_HAZARD_STATUSES)
    assert listed.paginator.count == expected.count() > 0
    assert {h.cell.parent.code for h in listed} == {TOWN}
    days = [h.due for h in listed]
    assert days == sorted(days)
    assert parse_qs(page.context["query"]) == {"grid": [TOWN], "status": ["open"], "sort": ["due"]}
    body = page.content.decode()
    assert f'href="/inspections/hazards/export.csv?{page.context["query"].replace("&", "&amp;")}"' in body
    rows = exported(client, f"/inspections/hazards/export.csv?{page.context['query']}")
    assert len(rows) == expected.count() and {r["状态"] for r in rows} <= {"整改中", "挂牌督办", "已发现", "已复查"}


def test_lists_page_by_fifty_and_keep_the_filters_on_the_next_page():
    client = signed_in("supervisor")
    first = client.get("/inspections/hazards/", {"status": ""})
    # Leads (隐患线索) and dismissed leads are not hazards: they have their own list.
    hazards = Hazard.objects.exclude(status__in=NOT_HAZARDS)
    assert first.context["page"].paginator.count == hazards.count() > PER_PAGE
    assert len(first.context["page"].object_list) == PER_PAGE
    assert "status=&amp;page=2" in first.content.decode() or "status=&page=2" in first.content.decode()
    second = client.get("/inspections/hazards/", {"status": "", "page": 2})
    assert not {h.pk for h in first.context["page"]} & {h.pk for h in second.context["page"]}


def test_an_officers_hazard_list_holds_only_their_cell():
    officer = officer_of("120118108-001")
    cells = set(officer.grid_assignments.values_list("grid__code", flat=True))
    client = signed_in(officer)
    page = client.get("/inspections/hazards/", {"status": ""})
    assert page.context["page"].paginator.count == Hazard.objects.filter(cell__code__in=cells).count()
    assert {h.cell.code for h in page.context["page"]} <= cells
    # Another town named in the URL is not a choice: the filter is refused, the scope stays.
    other = client.get("/inspections/hazards/", {"status": "", "grid": "120118001"})
    assert other.context["filterset"].errors and {h.cell.code for h in other.context["page"]} <= cells
    assert {r["二级网格"] for r in exported(client, "/inspections/hazards/export.csv?status=")} <= \
        set(officer.grid_assignments.values_list("grid__name", flat=True))


def test_enterprise_list_filters_by_level_one_grid_and_pages():
    client = signed_in("supervisor")
    page = client.get("/enterprises/", {"grid": TOWN, "risk_level": "major"})
    assert page.status_code == 200 and page.context["page"].paginator.count > 0
    assert {e.grid1_code for e in page.context["page"]} == {TOWN}
    assert {e.risk_level for e in page.context["page"]} == {"major"}


@pytest.mark.parametrize(("who", "label"), [("officer", "本网格合计"), ("head01", "本镇合计"),
                                            ("supervisor", "全区合计")])
def test_statistics_totals_are_labelled_with_the_viewers_scope(who, label):
    user = officer_of("120118108-001") if who == "officer" else get_user_model().objects.get(username=who)
    body = signed_in(user).get("/inspections/statistics/").content.decode()
    assert label in body
    for other in {"本网格合计", "本镇合计", "全区合计"} - {label}:
        assert other not in body


def test_money_is_shown_in_yuan():
    assert yuan(264000) == "¥264,000.00" and yuan("1234.5") == "¥1,234.50" and yuan(None) == ""
