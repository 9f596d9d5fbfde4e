"""The staff's publication page (issue 18 §5): the bureau publishes and withdraws penalty
decisions and keeps the credit lists, through services with history; the decisions past the
7 working days of 国办发〔2018〕118号 that are not published are marked; the 2019 decisions cite
the 安全生产法 as in force in 2019 (the 2014 text)."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from gridmap.accounts.models import Role
from gridmap.core.history import history_of
from gridmap.inspections.conf import app_settings
from gridmap.inspections.models import CreditListing, Exposure, Publication
from gridmap.workspaces.menu import menu_for
from tests.factories import officer_of
from tests.workspaces.inspections.test_two_doors import web_for

pytestmark = pytest.mark.django_db
URL = "/inspections/publication/"
TODAY = timezone.localdate()


def _public(params) -> str:
    return Client().get("/public/", params).content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _unpublished_2019_decision():
    """A 2019 sample decision taken off the publication records: long past its 7 working days."""
    publication = (Publication.objects.filter(kind="penalty_decision", decided_on__year=2019)
                   .select_related("document", "enterprise").order_by("pk").first())
    document = publication.document
    publication.delete()
    return document


def test_the_menu_offers_the_page_to_the_bureau_only():
    from gridmap.accounts.models import User

    def urls(user):
        return {link.url for heading in menu_for(user) for link in heading.links}

    bureau = User.objects.filter(groups__name=Role.BUREAU_STAFF).first()
    enforcement = User.objects.filter(groups__name=Role.LAW_ENFORCEMENT).first()
    assert URL in urls(bureau)
    assert URL not in urls(enforcement) and URL not in urls(officer_of("120118107-001"))
    assert web_for(enforcement).get(URL).status_code == 403
    assert web_for(officer_of("120118107-001")).get(URL).status_code == 403


def test_overdue_decisions_are_marked_and_publishing_is_recorded_once(supervisor):
    document = _unpublished_2019_decision()
    client = web_for(supervisor)
    page = client.get(URL, {"list": "decisions", "year": "2019"}).content.decode()
    assert "逾期未公示 1 件" in page and "有 1 件行政处罚决定已超过 7 个工作日仍未公示" in page
    overdue_only = client.get(URL, {"year": "2019", "state": "overdue"}).content.decode()
    assert document.number in overdue_only and overdue_only.count('<tr class="state-overdue"') == 1
    form_page = client.get(URL, {"year": "2019", "record": document.pk}).content.decode()
    assert 'id="publish-form"' in form_page
    data = {"action": "publish", "record": document.pk, "year": "2019", "published_on": TODAY.isoformat(),
            "findings": "未建立事故隐患排查治理制度", "decision": "罚款人民币 30,000 元",
            "legal_basis": "《中华人民共和国安全生产法》（2014年修正）第九十八条第（四）项"}
    response = client.post(URL, data)
    assert response.status_code == 302 and "已公示" in _messages(response)
    client.post(URL, data)  # the same submission again: recognised, not doubled
    published = Publication.objects.get(document=document)
    assert Publication.objects.filter(document=document).count() == 1
    assert [e.action for e in history_of(published)] == ["公示"]
    after = client.get(URL, {"year": "2019"}).content.decode()
    assert "逾期未公示 0 件" in after and "已公示（逾期） 1 件" in after
    assert document.enterprise.name in _public({"q": document.enterprise.credit_code})


def test_a_withdrawn_decision_leaves_the_public_page_and_keeps_its_record(supervisor):
    publication = (Publication.objects.filter(kind="penalty_decision").select_related("enterprise", "document")
                   .order_by("pk").first())
    code = publication.enterprise.credit_code
    client = web_for(supervisor)
    form_page = client.get(URL, {"year": publication.decided_on.year, "record": publication.document_id})
    assert 'id="withdraw-form"' in form_page.content.decode()
    bad = client.post(URL, {"action": "withdraw", "record": publication.pk, "withdrawn_on": TODAY.isoformat(),
                            "reason": "  "})
    assert any("撤回说明" in m for m in _messages(bad))
    early = client.post(URL, {"action": "withdraw", "record": publication.pk, "reason": "复议撤销",
                              "withdrawn_on": (publication.published_on - dt.timedelta(days=1)).isoformat()})
    assert any(publication.enterprise.name in m and "撤回日期" in m for m in _messages(early))
    publication.refresh_from_db()
    assert publication.withdrawn_on is None
    response = client.post(URL, {"action": "withdraw", "record": publication.pk, "withdrawn_on": TODAY.isoformat(),
                                 "reason": "经行政复议撤销原处罚决定"})
    assert "已撤回公示" in _messages(response)
    publication.refresh_from_db()
    assert publication.withdrawn_on == TODAY and publication.withdraw_reason == "经行政复议撤销原处罚决定"
    assert [e.action for e in history_of(publication)][-1] == "撤回公示"
    text = _public({"q": code})
    assert publication.findings not in text
    page = client.get(URL, {"year": publication.decided_on.year, "state": "withdrawn"}).content.decode()
    assert publication.document.number in page and "撤回" in page


def test_the_blacklist_and_the_credit_system_and_wechat_are_kept_on_the_page(supervisor):
    client = web_for(supervisor)
    enterprise = Publication.objects.filter(kind="penalty_decision").order_by("-pk").first().enterprise
    entered = TODAY - dt.timedelta(days=10)
    response = client.post(URL, {"action": "list", "kind": "blacklist", "enterprise": enterprise.credit_code,
                                 "entered_on": entered.isoformat(), "reason": "拒不执行执法指令，列为失信生产经营单位"})
    assert "已列入名单" in _messages(response) and "list=blacklist" in response["Location"]
    listing = CreditListing.objects.get(kind="blacklist", enterprise=enterprise, entered_on=entered)
    again = client.post(URL, {"action": "list", "kind": "blacklist", "enterprise": enterprise.credit_code,
                              "entered_on": TODAY.isoformat(), "reason": "重复"})
    assert any(enterprise.name in m and "已在" in m for m in _messages(again))
    page = client.get(URL, {"list": "blacklist", "year": entered.year, "record": listing.pk}).content.decode()
    assert 'id="exit-form"' in page
    response = client.post(URL, {"action": "exit", "tab": "blacklist", "record": listing.pk,
                                 "exited_on": TODAY.isoformat(), "exit_reason": "信用修复，移出名单"})
    assert "已移出名单" in _messages(response)
    listing.refresh_from_db()
    assert listing.exited_on == TODAY
    assert [e.action for e in history_of(listing)] == ["列入信用名单", "移出信用名单"]
    text = _public({"list": "blacklist", "q": enterprise.credit_code})
    assert "信用修复，移出名单" in text and TODAY.isoformat() in text
    client.post(URL, {"action": "list", "kind": "credit_publicity", "enterprise": enterprise.credit_code,
                      "entered_on": TODAY.isoformat(), "reason": "受到行政处罚，报送市场主体信用信息公示系统"})
    assert CreditListing.objects.filter(kind="credit_publicity", enterprise=enterprise, entered_on=TODAY).exists()
    before = Exposure.objects.filter(medium=app_settings.WECHAT_MEDIUM).count()
    client.post(URL, {"action": "wechat", "enterprise": enterprise.credit_code, "exposed_on": TODAY.isoformat(),
                      "note": "拒不整改重大事故隐患"})
    assert Exposure.objects.filter(medium=app_settings.WECHAT_MEDIUM).count() == before + 1
    assert enterprise.name in client.get(URL, {"list": "wechat", "year": TODAY.year}).content.decode()


def test_2019_decisions_cite_the_2014_text_of_the_law(supervisor):
    """In 2019 the 安全生产法 in force was the 2014 text: penalties under its articles 94, 96, 98
    and 99 (the 2021 amendment renumbered them 97, 99, 101 and 102), inspections under its 62."""
    bases = set(Publication.objects.filter(decided_on__year=2019).values_list("legal_basis", flat=True))
    article = re.compile(r"^《中华人民共和国安全生产法》（2014年修正）"
                         r"(第九十四条|第九十六条|第九十八条|第九十九条|第六十二条)")
    assert bases and all(article.match(b) for b in bases), bases - {b for b in bases if article.match(b)}
    page = web_for(supervisor).get("/inspections/statistics/", {"start": "2019-01-01", "end": "2019-12-31"})
    text = page.content.decode()
    assert "（2014年修正）第六十二条第一款第（三）项" in text and "第六十五条" not in text
    recent = web_for(supervisor).get("/inspections/statistics/", {"start": "2021-01-01", "end": "2022-12-31"})
    assert "第六十二条第一款" in recent.content.decode() and "（2021年修正）第六十五条第一款" in recent.content.decode()
