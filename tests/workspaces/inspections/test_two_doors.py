"""One rule for both doors: the inspection pages and the inspections API call the same
services, so the same input gets the same answer (the same Chinese refusal, the same rows)."""

import datetime as dt
import json

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gridmap.enterprises.models import Enterprise
from gridmap.inspections import services
from gridmap.inspections.criteria import checklist_for
from gridmap.inspections.models import EnforcementDocument, Hazard, Inspection
from tests.factories import png_upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DEADLINE = TODAY + dt.timedelta(days=20)


def web_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_refusal(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_a_signer_without_a_valid_certificate_is_refused_by_both_doors(supervisor, enforcers, cell_enterprise):
    valid, _, expired = enforcers
    body = {"kind": "order_to_correct", "enterprise": str(cell_enterprise.pk),
            "signers": [valid.username, expired.username]}
    api = api_for(supervisor).post("/api/inspections/documents/", {**body, "number": "两门〔2026〕API1号"},
                                   format="json")
    page = web_for(supervisor).post("/inspections/documents/", {**body, "number": "两门〔2026〕WEB1号"})
    refusal = f"{expired} 在 {TODAY} 没有有效的执法证"
    assert api.status_code == 400 and api.json() == {"signers": [refusal]}
    assert page.status_code == 302 and page_refusal(page) == [f"未保存：{refusal}"]
    assert not EnforcementDocument.objects.filter(number__startswith="两门").exists()
    # An unknown signer: the same refusal again.
    body["signers"] = [valid.username, "nobody-here"]
    api = api_for(supervisor).post("/api/inspections/documents/", {**body, "number": "两门〔2026〕API2号"},
                                   format="json")
    page = web_for(supervisor).post("/inspections/documents/", {**body, "number": "两门〔2026〕WEB2号"})
    assert api.json() == {"signers": ["没有这些在用账户：nobody-here"]}
    assert page_refusal(page) == ["未保存：没有这些在用账户：nobody-here"]
    assert not EnforcementDocument.objects.filter(number__startswith="两门").exists()


def test_an_enterprise_nobody_may_name_gets_the_same_refusal(supervisor):
    body = {"enterprise": "999999999", "held_on": TODAY.isoformat(), "people": "2"}
    api = api_for(supervisor).post("/api/inspections/summonses/", body, format="json")
    page = web_for(supervisor).post("/inspections/summonses/", body)
    assert api.status_code == 400 and page.status_code == 200
    assert page.context["form"].errors["enterprise"] == api.json()["enterprise"]
    assert "不在您的范围内" in api.json()["enterprise"][0]


def two_tasks(supervisor, enterprise, officer):
    """Two enterprises of the same cell with an open task each (both the officer's: the cell's
    new tasks are otherwise spread over all its officers), and a checklist code both have."""
    second = (Enterprise.objects.filter(cell=enterprise.cell).exclude(pk=enterprise.pk).order_by("pk").first())
    tasks = services.tasks_assign(actor=supervisor, enterprise_ids=[enterprise.pk, second.pk],
                                  due_date=DEADLINE, assignee=officer).created
    by_enterprise = {t.enterprise_id: t for t in tasks}
    codes = [c.code for c in checklist_for(enterprise) if c.code in {d.code for d in checklist_for(second)}]
    return by_enterprise[enterprise.pk], by_enterprise[second.pk], codes[0]


def rows(task):
    inspection = Inspection.objects.get(task=task)
    hazards = list(Hazard.objects.filter(inspection=inspection).values(
        "level", "criterion_code", "description", "measures", "deadline", "found_on", "status", "reported_by"))
    task.refresh_from_db()
    return (task.status, inspection.kind, inspection.checklist, inspection.findings, inspection.recorded_by_id,
            sorted(inspection.inspectors.values_list("pk", flat=True)), inspection.photos.count(), hazards)


def test_an_inspection_with_its_hazard_makes_the_same_rows_from_both_doors(supervisor, officer, cell_enterprise):
    by_page, by_api, code = two_tasks(supervisor, cell_enterprise, officer)
    page = web_for(officer).post(f"/inspections/tasks/{by_page.pk}/inspect/", {
        f"item_{code}": "hazard", "findings": "配电箱未接地", "photos": [png_upload()],
        "hazard_description": "配电箱未接地", "hazard_level": "major", "criterion_code": code,
        "measures": "立即整改", "deadline": DEADLINE.isoformat()})
    assert page.status_code == 302 and not page_refusal(page)
    api = api_for(officer).post(f"/api/inspections/tasks/{by_api.pk}/inspections/", {
        "items": json.dumps([{"code": code, "result": "hazard"}]), "findings": "配电箱未接地",
        "photos": [png_upload()], "hazard": json.dumps({
            "description": "配电箱未接地", "level": "major", "criterion_code": code, "measures": "立即整改",
            "deadline": DEADLINE.isoformat()})}, format="multipart")
    assert api.status_code == 201, api.json()
    assert api.json()["hazards"] and api.json()["task"] == by_api.pk
    made = rows(by_page)
    assert made == rows(by_api)
    assert made[0] == "done" and made[2] == [{"code": code, "result": "hazard"}] and made[6] == 1
    assert made[7][0]["level"] == "major" and made[7][0]["deadline"] == DEADLINE


def test_a_major_hazard_without_its_criterion_is_refused_by_both_doors(supervisor, officer, cell_enterprise):
    by_page, by_api, code = two_tasks(supervisor, cell_enterprise, officer)
    before = Inspection.objects.count(), Hazard.objects.count()
    page = web_for(officer).post(f"/inspections/tasks/{by_page.pk}/inspect/", {
        f"item_{code}": "hazard", "hazard_description": "粉尘超标", "hazard_level": "major"})
    api = api_for(officer).post(f"/api/inspections/tasks/{by_api.pk}/inspections/", {
        "items": [{"code": code, "result": "hazard"}], "hazard": {"description": "粉尘超标", "level": "major"}},
        format="json")
    assert api.status_code == 400 and api.json() == {"criterion_code": ["重大隐患须引用判定标准条款"]}
    assert page_refusal(page) == ["未保存：重大隐患须引用判定标准条款"]
    # A checklist result outside ok / hazard / na: the service's message from both doors.
    page = web_for(officer).post(f"/inspections/tasks/{by_page.pk}/inspect/", {f"item_{code}": "maybe"})
    api = api_for(officer).post(f"/api/inspections/tasks/{by_api.pk}/inspections/", {
        "items": [{"code": code, "result": "maybe"}]}, format="json")
    refusal = f"检查项 {code} 的结果应为 ok / hazard / na"
    assert api.json() == {"items": [refusal]} and page_refusal(page) == [f"未保存：{refusal}"]
    assert (Inspection.objects.count(), Hazard.objects.count()) == before
    by_page.refresh_from_db()
    by_api.refresh_from_db()
    assert by_page.is_open and by_api.is_open


def test_a_reinspection_from_both_doors(officer, supervisor, cell_enterprise):
    # General hazards the bureau registered; the cell's officer verifies them (核实).
    first, second = (services.hazard_report(actor=supervisor, enterprise=cell_enterprise, description=f"隐患{i}",
                                            deadline=DEADLINE) for i in (1, 2))
    page = web_for(officer).post(f"/inspections/hazards/{first.pk}/reinspect/", {"passed": "1", "findings": "已整改"})
    api = api_for(officer).post(f"/api/inspections/hazards/{second.pk}/reinspections/",
                                {"passed": True, "findings": "已整改"}, format="json")
    assert page.status_code == 302 and api.status_code == 201 and api.json()["status"] == "reinspected"
    for hazard in (first, second):
        hazard.refresh_from_db()
        assert hazard.status == "reinspected" and hazard.reinspection.kind == "verification"
        assert hazard.reinspection.findings == "已整改"
