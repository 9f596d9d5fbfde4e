"""Issue 18, parts 2 and 3: enforcement measures named as the law names them, legal review's
four checks, and who inspects (supervision inspections by certified pairs, patrols whose
findings are leads, who may act on hazards)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from gridmap.grids.models import Grid
from gridmap.inspections import services as s
from gridmap.inspections.criteria import CRITERIA
from gridmap.inspections.models import (
    EnforcementCertificate,
    EnforcementDocument,
    Hazard,
    Inspection,
    InspectionTask,
    LegalReview,
)
from gridmap.inspections.statistics import statistics_by_grid, statistics_in_python
from tests.workspaces.inspections.test_two_doors import api_for as client_for
from tests.workspaces.inspections.test_two_doors import web_for as page_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PASSED = {name: s.ReviewCheck(passed=True) for name, _label in LegalReview.CHECKS}


@pytest.fixture
def law_pair(db):
    """Two law-enforcement staff (the law_enforcement role only) with certificates valid today,
    and one whose certificate has run out."""
    group = Group.objects.get(name="law_enforcement")
    people = []
    for i, expires in ((1, dt.date(2099, 12, 31)), (2, dt.date(2099, 12, 31)), (3, TODAY - dt.timedelta(days=1))):
        user = get_user_model().objects.create(username=f"zhifa-test{i}", full_name=f"执法测试{i}")
        user.groups.add(group)
        EnforcementCertificate.objects.create(user=user, number=f"LAW-TEST-{i}", issued=dt.date(2020, 1, 1),
                                              expires=expires)
        people.append(user)
    return people


@pytest.fixture
def flood_user(db):
    return get_user_model().objects.get(username="flood")


def _supervision_task(supervisor, enterprise, assignee):
    return s.tasks_assign(actor=supervisor, enterprise_ids=[enterprise.pk], assignee=assignee,
                          due_date=TODAY + dt.timedelta(days=10)).created[0]


def _patrol_task(supervisor, enterprise):
    return s.tasks_assign(actor=supervisor, enterprise_ids=[enterprise.pk], due_date=TODAY + dt.timedelta(days=10),
                          ).created[0]


# --- measures ---------------------------------------------------------------------------------

def test_out_of_use_and_sealing_are_different_measures_counted_apart(supervisor, law_pair, cell_enterprise):
    a, b, _ = law_pair
    common = {"actor": supervisor, "enterprise": cell_enterprise, "signers": [a, b]}
    # Each measure has its own decision (安全生产法 第六十五条第一款第（三）、（四）项).
    with pytest.raises(ValidationError, match="查封扣押决定书"):
        s.document_create(kind="onsite_measure", number="T-M1", equipment_sealed=2, **common)
    with pytest.raises(ValidationError, match="现场处理措施决定书"):
        s.document_create(kind="compulsory_measure", number="T-M2", equipment_out_of_use=2, **common)
    s.document_create(kind="onsite_measure", number="T-M3", equipment_out_of_use=3, issued_on=TODAY, **common)
    sealing = s.document_create(kind="compulsory_measure", number="T-M4", equipment_sealed=2, **common)
    s.legal_review_record(actor=supervisor, document=sealing, reviewed_on=TODAY, approved=True, opinion="合法",
                          checks=PASSED)
    s.document_issue(actor=supervisor, document=sealing, issued_on=TODAY)
    orm = statistics_by_grid(supervisor, start=TODAY, end=TODAY)
    assert (orm["total"]["equipment_out_of_use"], orm["total"]["equipment_sealed"]) == (3, 2)
    assert orm["total"] == statistics_in_python(supervisor, start=TODAY, end=TODAY)["total"]
    page = page_client(supervisor).get("/inspections/statistics/", {"start": TODAY, "end": TODAY}).content.decode()
    assert "责令暂时停止使用设备（台套）" in page and "查封扣押（台套）" in page
    assert "第六十五条第一款第（三）项" in page and "第六十五条第一款第（四）项" in page
    assert EnforcementDocument.Kind.COMPULSORY_MEASURE.label == "查封扣押决定书"


def test_the_sample_orders_71_sets_out_of_use_and_seals_none(supervisor):
    total = statistics_by_grid(supervisor, start=dt.date(2019, 1, 1), end=dt.date(2019, 12, 31))["total"]
    assert (total["equipment_out_of_use"], total["equipment_sealed"]) == (71, 0)
    # The 37 certificate holders are law-enforcement staff.
    holders = get_user_model().objects.filter(enforcement_certificates__isnull=False,
                                              username__startswith="law").distinct()
    assert holders.count() == 37
    assert all(u.role_names() == {"law_enforcement"} for u in holders)
    # Supervision inspections by certified pairs; patrols by one officer; no general hazard supervised.
    supervision = Inspection.objects.filter(kind="routine", inspected_on__year=2019).order_by("pk")[:50]
    for inspection in supervision:
        people = list(inspection.inspectors.all())
        assert len(people) == 2
        assert all(p.enforcement_certificates.filter(issued__lte=inspection.inspected_on,
                                                     expires__gte=inspection.inspected_on).exists() for p in people)
    assert Inspection.objects.filter(kind="patrol").exists()
    assert Hazard.objects.filter(status="lead").exists() and Hazard.objects.filter(status="dismissed").exists()
    assert not Hazard.objects.filter(status="supervised", level="general").exists()
    assert not Hazard.objects.filter(level="major", supervised_on__isnull=True, found_on__year=2019).exists()
    # No reviewer reviewed a decision they signed; every review records its four checks.
    reviews = LegalReview.objects.filter(document__issued_on__year=2019)
    assert reviews.exists() and not reviews.filter(document__signers=F("reviewer")).exists()
    assert not reviews.filter(subject_passed__isnull=True).exists()


# --- legal review -----------------------------------------------------------------------------

def test_a_legal_review_by_a_signer_is_refused(supervisor, law_pair, cell_enterprise):
    a, b, _ = law_pair
    EnforcementCertificate.objects.create(user=supervisor, number="LAW-TEST-SUP", issued=dt.date(2020, 1, 1),
                                          expires=dt.date(2099, 12, 31))
    doc = s.document_create(actor=supervisor, kind="penalty_decision", number="T-R1", enterprise=cell_enterprise,
                            signers=[supervisor, a], fine_amount="90000")
    with pytest.raises(ValidationError, match="不能审核本人承办的执法决定"):
        s.legal_review_record(actor=supervisor, document=doc, reviewed_on=TODAY, approved=True, opinion="合法",
                              checks=PASSED)
    response = client_for(supervisor).post(
        f"/api/inspections/documents/{doc.pk}/review/",
        {"reviewed_on": TODAY, "approved": True, "opinion": "合法",
         **{f"{name}_passed": True for name, _ in LegalReview.CHECKS}}, format="json")
    assert response.status_code == 400 and "签署人" in str(response.json()["reviewer"])
    assert not LegalReview.objects.filter(document=doc).exists()


def test_a_legal_review_records_four_checks_and_passes_only_when_all_do(supervisor, law_pair, cell_enterprise):
    a, b, _ = law_pair
    doc = s.document_create(actor=supervisor, kind="penalty_decision", number="T-R2", enterprise=cell_enterprise,
                            signers=[a, b], fine_amount="90000")
    failed = {**PASSED, "procedure": s.ReviewCheck(passed=False)}
    with pytest.raises(ValidationError, match="执法程序"):  # a failed check says why
        s.legal_review_record(actor=supervisor, document=doc, reviewed_on=TODAY, approved=False, opinion="退回",
                              checks=failed)
    failed["procedure"] = s.ReviewCheck(passed=False, note="未告知陈述申辩权利")
    with pytest.raises(ValidationError, match="审核不能通过"):
        s.legal_review_record(actor=supervisor, document=doc, reviewed_on=TODAY, approved=True, opinion="同意",
                              checks=failed)
    web = page_client(supervisor)
    form = {"reviewed_on": TODAY, "approved": "0", "opinion": "程序不合法，退回",
            **{f"{name}_passed": "1" for name, _ in LegalReview.CHECKS}, "procedure_passed": "0",
            "procedure_note": "未告知陈述申辩权利"}
    web.post(f"/inspections/documents/{doc.pk}/review/", form)
    review = LegalReview.objects.get(document=doc)
    assert (review.subject_passed, review.authority_passed, review.basis_passed, review.procedure_passed) == \
        (True, True, True, False)
    assert review.procedure_note == "未告知陈述申辩权利" and not review.approved
    detail = web.get(f"/inspections/documents/{doc.pk}/").content.decode()
    assert "执法程序" in detail and "未告知陈述申辩权利" in detail and "不合法" in detail


# --- who inspects -----------------------------------------------------------------------------

def test_a_grid_officer_cannot_record_a_supervision_inspection(supervisor, officer, cell_enterprise):
    with pytest.raises(PermissionDenied, match="网格员记录巡查"):
        s.inspection_record(actor=officer, enterprise=cell_enterprise, kind="routine")
    task = _patrol_task(supervisor, cell_enterprise)
    assert task.kind == "patrol"
    response = client_for(officer).post(f"/api/inspections/tasks/{task.pk}/inspections/",
                                        {"kind": "routine", "findings": "冒充监督检查"}, format="json")
    assert response.status_code == 403
    web = page_client(officer)
    response = web.post(f"/inspections/tasks/{task.pk}/inspect/", {"kind": "routine", "findings": "冒充"},
                        follow=True)
    assert "网格员记录巡查" in response.content.decode()
    assert not Inspection.objects.filter(task=task).exists()
    assert InspectionTask.objects.get(pk=task.pk).status == "assigned"
    # The task page offers a patrol, not a supervision inspection.
    page = web.get(f"/inspections/tasks/{task.pk}/").content.decode()
    assert "巡查记录" in page and "监督检查记录" not in page


def test_two_certified_staff_can_and_one_uncertified_cannot(supervisor, law_pair, cell_enterprise, officer):
    a, b, expired = law_pair
    task = _supervision_task(supervisor, cell_enterprise, a)
    assert task.kind == "supervision"
    api = client_for(a)
    url = f"/api/inspections/tasks/{task.pk}/inspections/"
    alone = api.post(url, {"findings": "一人检查"}, format="json")
    assert alone.status_code == 400 and "至少 2 名" in str(alone.json()["inspectors"])
    half = api.post(url, {"findings": "一人持证", "inspectors": [a.username, expired.username]}, format="json")
    assert half.status_code == 400 and "执法证" in str(half.json()["inspectors"])
    # Nor a grid officer as the second inspector.
    response = api.post(url, {"inspectors": [a.username, officer.username]}, format="json")
    assert response.status_code == 400
    assert not Inspection.objects.filter(task=task).exists()
    response = api.post(url, {"findings": "现场检查", "inspectors": [a.username, b.username],
                              "hazard": {"description": "安全出口锁闭"}}, format="json")
    assert response.status_code == 201, response.json()
    inspection = Inspection.objects.get(pk=response.json()["id"])
    assert inspection.kind == "routine" and set(inspection.inspectors.all()) == {a, b}
    # Found by law-enforcement staff: a hazard, not a lead.
    assert inspection.hazards.get().status == "found"
    stats = statistics_by_grid(supervisor, start=TODAY, end=TODAY, level=Grid.Level.LEVEL_2)
    assert stats["rows"][cell_enterprise.cell.code]["inspections"] >= 1


def test_a_patrol_finds_leads_that_the_bureau_confirms_or_dismisses(supervisor, officer, cell_enterprise, law_pair):
    task = _patrol_task(supervisor, cell_enterprise)
    response = client_for(officer).post(f"/api/inspections/tasks/{task.pk}/inspections/",
                                        {"findings": "巡查", "hazard": {"description": "疑似消防通道堵塞"}},
                                        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "patrol"
    lead = Hazard.objects.get(pk=response.json()["hazards"][0])
    assert lead.status == "lead"
    before = statistics_by_grid(supervisor, start=TODAY, end=TODAY, level=Grid.Level.LEVEL_2)["rows"]
    row = before[cell_enterprise.cell.code]
    # The officer can neither confirm the lead nor act on it.
    officer_api = client_for(officer)
    assert officer_api.post(f"/api/inspections/hazards/{lead.pk}/confirm/", {}, format="json").status_code == 403
    assert officer_api.post(f"/api/inspections/hazards/{lead.pk}/rectify/", {}, format="json").status_code == 403
    law = client_for(law_pair[0])
    response = law.post(f"/api/inspections/hazards/{lead.pk}/confirm/",
                        {"level": "major", "criterion_code": CRITERIA[-1].code}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "supervised"
    lead.refresh_from_db()
    assert lead.supervised_on == TODAY and lead.confirmed_by == law_pair[0]
    after = statistics_by_grid(supervisor, start=TODAY, end=TODAY, level=Grid.Level.LEVEL_2)["rows"]
    assert after[cell_enterprise.cell.code]["hazards_found"] == row["hazards_found"] + 1
    # The patrol is no inspection in the statistics.
    assert after[cell_enterprise.cell.code]["inspections"] == row["inspections"]
    other = s.hazard_report(actor=officer, enterprise=cell_enterprise, description="疑似气瓶未固定",
                            deadline=TODAY + dt.timedelta(days=7))
    assert other.status == "lead"
    assert law.post(f"/api/inspections/hazards/{other.pk}/dismiss/", {"reason": ""}, format="json").status_code == 400
    response = law.post(f"/api/inspections/hazards/{other.pk}/dismiss/", {"reason": "现场核实已固定"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    assert response.json()["dismissal_reason"] == "现场核实已固定"


def test_an_officer_cannot_close_a_major_hazard(supervisor, officer, law_pair, cell_enterprise):
    a, b, _ = law_pair
    major = s.hazard_report(actor=supervisor, enterprise=cell_enterprise, description="除尘系统未泄爆",
                            level="major", criterion_code=CRITERIA[-1].code, deadline=TODAY + dt.timedelta(days=30))
    api = client_for(officer)
    response = api.post(f"/api/inspections/hazards/{major.pk}/reinspections/", {"passed": True}, format="json")
    assert response.status_code == 403 and "重大隐患" in response.json()["detail"]
    with pytest.raises(PermissionDenied):
        s.hazard_reinspect(actor=officer, hazard=major, passed=True)
    # One certified inspector alone cannot re-inspect it either; a certified pair can.
    with pytest.raises(ValidationError, match="至少 2 名"):
        s.hazard_reinspect(actor=a, hazard=major, passed=True)
    s.hazard_reinspect(actor=a, hazard=major, passed=True, inspectors=[a, b])
    assert api.post(f"/api/inspections/hazards/{major.pk}/close/", {}, format="json").status_code == 403
    page = page_client(officer).get(f"/inspections/hazards/{major.pk}/").content.decode()
    assert "销号</button>" not in page
    assert page_client(officer).post(f"/inspections/hazards/{major.pk}/close/").status_code == 403
    assert client_for(a).post(f"/api/inspections/hazards/{major.pk}/close/", {}, format="json").json()["status"] \
        == "closed"


def test_one_officer_verifies_and_closes_only_general_hazards_of_their_own_cell(supervisor, officer, cell_enterprise):
    from tests.factories import officer_of

    hazard = s.hazard_report(actor=supervisor, enterprise=cell_enterprise, description="配电箱未接地",
                             deadline=TODAY + dt.timedelta(days=7))
    stranger = officer_of("120118101-001")
    assert stranger.pk != officer.pk
    with pytest.raises(PermissionDenied):
        s.hazard_start_rectification(actor=stranger, hazard=hazard)
    s.hazard_reinspect(actor=officer, hazard=hazard, passed=True)
    hazard.refresh_from_db()
    assert hazard.reinspection.kind == "verification"
    assert s.hazard_close(actor=officer, hazard=hazard).status == "closed"


def test_flood_command_is_offered_no_hazard_action(supervisor, flood_user, cell_enterprise):
    hazard = s.hazard_report(actor=supervisor, enterprise=cell_enterprise, description="消防通道堵塞",
                             deadline=TODAY + dt.timedelta(days=7))
    lead = s.hazard_report(actor=supervisor, enterprise=cell_enterprise, description="x",
                           deadline=TODAY + dt.timedelta(days=7))
    Hazard.objects.filter(pk=lead.pk).update(status="lead")
    page = page_client(flood_user)
    for pk in (hazard.pk, lead.pk):
        body = page.get(f"/inspections/hazards/{pk}/").content.decode()
        assert "reinspect-form" not in body
        assert not [a for a in ("rectify", "reinspect", "close", "confirm", "dismiss")
                    if f"/inspections/hazards/{pk}/{a}/" in body]
    for action in ("rectify", "reinspect", "close", "confirm", "dismiss"):
        assert page.post(f"/inspections/hazards/{hazard.pk}/{action}/", {"passed": "1"}).status_code == 403
    api = client_for(flood_user)
    assert api.post(f"/api/inspections/hazards/{hazard.pk}/reinspections/", {"passed": True},
                    format="json").status_code == 403
    for action in ("rectify", "close", "confirm", "dismiss"):
        assert api.post(f"/api/inspections/hazards/{hazard.pk}/{action}/", {"reason": "x"},
                        format="json").status_code == 403
    assert Hazard.objects.get(pk=hazard.pk).status == "found"
    # The bureau is offered the forms on the same page.
    assert "reinspect-form" in page_client(supervisor).get(f"/inspections/hazards/{hazard.pk}/").content.decode()


def test_an_overdue_general_hazard_offers_an_order_to_rectify(supervisor, cell_enterprise):
    hazard = s.hazard_report(actor=supervisor, enterprise=cell_enterprise, description="安全警示标志缺失",
                             found_on=TODAY - dt.timedelta(days=20), deadline=TODAY - dt.timedelta(days=5))
    web = page_client(supervisor)
    body = web.get(f"/inspections/hazards/{hazard.pk}/").content.decode()
    assert "第一百零二条" in body and "制作责令限期整改指令书" in body and "挂牌督办期限" not in body
    form = web.get("/inspections/documents/", {"new_kind": "order_to_correct", "enterprise": cell_enterprise.pk,
                                               "hazard": hazard.pk}).content.decode()
    assert f'name="hazard" value="{hazard.pk}"' in form and 'value="order_to_correct" selected' in form
