"""Register changes proposed by the enterprise (issue 21, part 4): they wait for the bureau,
shown as a difference, kept in the history; the register shows the last approved change."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gridmap.core.history import history_of
from gridmap.enterprises.models import RegisterChange
from gridmap.enterprises.services import register_change_propose, register_change_review

pytestmark = pytest.mark.django_db


def test_a_change_waits_for_the_bureau_and_is_applied_when_approved(account, enterprise, supervisor):
    point = enterprise.risk_points.order_by("number").first()
    old = point.responsible_person
    change = register_change_propose(actor=account, risk_point=point, changes={"responsible_person": "王新"},
                                     reason="人员调整")
    point.refresh_from_db()
    assert change.status == "pending" and point.responsible_person == old
    assert change.differences == [("责任人", old, "王新")]
    client = Client()
    client.force_login(supervisor)
    page = client.get("/registers/changes/")
    assert page.status_code == 200 and "王新" in page.content.decode()
    assert client.post(f"/registers/changes/{change.pk}/approve/").status_code == 302
    point.refresh_from_db()
    change.refresh_from_db()
    assert point.responsible_person == "王新" and change.status == "approved"
    assert [e.action for e in history_of(change)][-1] == "批准一企一册变更"
    register = client.get(f"/enterprises/{enterprise.pk}/")
    assert "最近一次批准的变更" in register.content.decode()


def test_a_returned_change_is_not_applied(account, enterprise, supervisor):
    point = enterprise.risk_points.order_by("number").first()
    change = register_change_propose(actor=account, risk_point=point, changes={"measures_ppe": "佩戴防护面罩"})
    with pytest.raises(ValidationError):
        register_change_review(actor=supervisor, change=change, approve=False)
    register_change_review(actor=supervisor, change=change, approve=False, note="措施不具体")
    point.refresh_from_db()
    assert point.measures_ppe != "佩戴防护面罩"
    assert RegisterChange.objects.get(pk=change.pk).status == "returned"


def test_only_its_own_register_and_only_people_and_measures(account, other_enterprise, enterprise, cell_officer):
    with pytest.raises(PermissionDenied):
        register_change_propose(actor=account, risk_point=other_enterprise.risk_points.first(),
                                changes={"responsible_person": "越权"})
    point = enterprise.risk_points.first()
    with pytest.raises(ValidationError):
        register_change_propose(actor=account, risk_point=point, changes={"level": "low"})
    change = register_change_propose(actor=account, risk_point=point, changes={"place": "新场所"})
    with pytest.raises(PermissionDenied):
        register_change_review(actor=cell_officer, change=change, approve=True)


def test_the_enterprise_page(account, enterprise):
    client = Client()
    client.force_login(account)
    point = enterprise.risk_points.order_by("number").first()
    assert client.get("/enterprise/changes/").status_code == 200
    response = client.post("/enterprise/changes/", {"risk_point": point.pk, "field": "responsible_unit",
                                                    "value": "安全环保部", "reason": "机构调整"})
    assert response.status_code == 302
    assert RegisterChange.objects.filter(risk_point=point, after={"responsible_unit": "安全环保部"}).exists()
