"""Decisions made public (issue 18 §5): /public/ without sign-in, only published records,
nothing personal, paging and search, cheap to ask; the 2019 credit lists hold the report's
numbers; decisions are published within 7 working days."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from gridmap.inspections.conf import app_settings
from gridmap.inspections.models import CreditListing, EnforcementDocument, Exposure, Publication
from gridmap.inspections.publication import publication_deadline, publication_record, working_days_after
from gridmap.workspaces.publication.views import LISTS

pytestmark = pytest.mark.django_db
# A mainland mobile or a landline with its area code, however written.
PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def test_the_public_page_answers_without_sign_in_in_the_site_frame():
    response = Client().get("/public/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "静海区网格化安全监管平台" in text and "执法公示" in text and "行政处罚决定" in text
    assert 'name="csrf-token"' not in text and "data-user" not in text


@pytest.mark.parametrize("which", list(LISTS))
def test_no_list_shows_a_phone_number_or_a_private_person(which):
    client = Client()
    for page in ("1", "2"):
        text = client.get("/public/", {"list": which, "page": page}).content.decode()
        assert not PHONE.search(text), PHONE.search(text)
        assert "举报人" not in text and "法定代表人" not in text and "执法人员0" not in text


def test_the_2019_decisions_appear_and_search_finds_one():
    client = Client()
    decisions = Publication.objects.filter(kind="penalty_decision", decided_on__year=2019)
    assert decisions.count() == EnforcementDocument.objects.filter(
        kind="penalty_decision", status="issued", issued_on__year=2019).count() == 306
    text = client.get("/public/").content.decode()
    assert "共 306 条" in text
    one = decisions.select_related("enterprise").order_by("pk").first()
    found = client.get("/public/", {"q": one.enterprise.name}).content.decode()
    assert one.enterprise.credit_code in found and one.legal_basis in found and one.findings in found
    by_code = client.get("/public/", {"q": one.enterprise.credit_code.lower()}).content.decode()
    assert one.enterprise.name in by_code
    random_checks = client.get("/public/", {"list": "random_checks"}).content.decode()
    assert "第六十二条" in random_checks


def test_decisions_are_published_within_seven_working_days():
    late = [p for p in Publication.objects.filter(kind="penalty_decision")
            if p.published_on > publication_deadline(p.decided_on)]
    assert late == []
    # Friday + 7 working days is the Tuesday of the week after next.
    assert working_days_after(dt.date(2019, 3, 1), 7) == dt.date(2019, 3, 12)


def test_only_published_records_are_listed(supervisor):
    document = EnforcementDocument.objects.filter(kind="onsite_record").select_related("enterprise").first()
    with pytest.raises(ValidationError):
        publication_record(actor=supervisor, document=document, published_on=timezone.localdate(),
                           findings="x", legal_basis="y", decision="z")
    future = Publication.objects.filter(kind="penalty_decision").first()
    Publication.objects.filter(pk=future.pk).update(published_on=timezone.localdate() + dt.timedelta(days=3))
    text = Client().get("/public/", {"q": future.enterprise.credit_code}).content.decode()
    assert "共 0 条" in text and future.enterprise.name not in text


def test_a_request_costs_few_queries(django_assert_max_num_queries):
    client = Client()
    for which in LISTS:
        with django_assert_max_num_queries(3):
            client.get("/public/", {"list": which, "q": "天津", "page": "2"})


def test_the_2019_credit_lists_hold_the_reports_numbers():
    listings = CreditListing.objects.filter(entered_on__year=2019)
    assert listings.filter(kind="credit_publicity").values("enterprise").distinct().count() == 20
    assert Exposure.objects.filter(exposed_on__year=2019, medium=app_settings.WECHAT_MEDIUM) \
        .values("enterprise").distinct().count() == 35
    blacklist = listings.filter(kind="blacklist")
    assert blacklist.exists() and blacklist.filter(exited_on__isnull=False).exclude(exit_reason="").exists()
    text = Client().get("/public/", {"list": "wechat"}).content.decode()
    assert "共 35 条" in text
    text = Client().get("/public/", {"list": "blacklist"}).content.decode()
    assert "移出日期" in text and "失信" in text


def test_the_sign_in_page_links_to_the_public_page():
    assert 'href="/public/"' in Client().get("/accounts/login/").content.decode()
