"""Task states, inspection records, hazards to closure, escalation, documents, reports."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from pghistory.models import Events

from gridmap.inspections import services as s
from gridmap.inspections.criteria import criteria_on
from gridmap.inspections.models import (
    EnforcementCertificate,
    EnforcementDocument,
    Hazard,
    Inspection,
    InspectionTask,
    LegalReview,
    Report,
)
from tests.factories import inside, officer_of, png_upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PASSED = {name: s.ReviewCheck(passed=True) for name, _label in LegalReview.CHECKS}


def test_task_states_and_history(supervisor, cell_enterprise, officer):
    result = s.tasks_assign(actor=supervisor, enterprise_ids=[cell_enterprise.pk],
                            due_date=TODAY + dt.timedelta(days=10))
    task = result.created[0]
    assert task.assignee == officer  # the cell's officer by default
    with pytest.raises(PermissionDenied):
        s.task_transition(actor=officer_of("120118101-001"), task=task, action="accept")
    with pytest.raises(ValidationError):
        s.task_transition(actor=officer, task=task, action="decline")  # no reason
    s.task_transition(actor=officer, task=task, action="accept")
    s.task_transition(actor=officer, task=task, action="start")
    with pytest.raises(ValidationError):
        s.task_transition(actor=officer, task=task, action="accept")
    inspection = s.inspection_record(actor=officer, enterprise=cell_enterprise, task=task,
                                     items=[{"code": "M10-3-1", "result": "ok"},
                                            {"code": "M10-3-2", "result": "hazard", "note": "两人无证"}],
                                     findings="特种作业人员无证",
                                     lon=cell_enterprise.location.x, lat=cell_enterprise.location.y,
                                     photos=[png_upload()])
    task.refresh_from_db()
    assert task.status == "done" and inspection.task == task and inspection.photos.count() == 1
    assert list(inspection.inspectors.all()) == [officer]
    labels = [e.pgh_context.get("action") for e in Events.objects.tracks(task).order_by("pgh_id") if e.pgh_context]
    assert labels[:3] == ["tasks_assign", "task_accept", "task_start"]


def test_cannot_inspect_needs_a_reason(supervisor, cell_enterprise, officer):
    task = s.tasks_assign(actor=supervisor, enterprise_ids=[cell_enterprise.pk],
                          due_date=TODAY + dt.timedelta(days=3)).created[0]
    with pytest.raises(ValidationError):
        s.task_transition(actor=officer, task=task, action="cannot_inspect", cannot_reason="")
    task = s.task_transition(actor=officer, task=task, action="cannot_inspect", cannot_reason="refused",
                             reason="企业拒绝入内")
    assert task.status == "cannot_inspect" and not task.is_open
    # A closed task frees the period: the enterprise can be assigned again.
    again = s.tasks_assign(actor=supervisor, enterprise_ids=[cell_enterprise.pk], due_date=TODAY + dt.timedelta(days=3))
    assert len(again.created) == 1


def test_database_refuses_a_second_open_task(supervisor, cell_enterprise):
    due = TODAY + dt.timedelta(days=5)
    task = s.tasks_assign(actor=supervisor, enterprise_ids=[cell_enterprise.pk], due_date=due).created[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionTask.objects.create(enterprise=cell_enterprise, cell=task.cell, period=task.period,
                                      assignee=task.assignee, due_date=due, district_code="120118")


def _hazard(actor, enterprise, **kw):
    return s.hazard_report(actor=actor, enterprise=enterprise, description="配电箱未接地",
                           deadline=kw.pop("deadline", TODAY + dt.timedelta(days=7)), **kw)


def test_hazard_cannot_close_without_reinspection(officer, supervisor, cell_enterprise):
    # A general hazard registered by the bureau, verified and closed by the cell's officer.
    hazard = _hazard(supervisor, cell_enterprise, photos=[png_upload()])
    s.hazard_start_rectification(actor=officer, hazard=hazard)
    with pytest.raises(ValidationError, match="复查"):
        s.hazard_close(actor=officer, hazard=hazard)
    # Nor by writing the row directly: the database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(status="closed", closed_on=TODAY)
    patrol = s.inspection_record(actor=officer, enterprise=cell_enterprise)
    assert patrol.kind == Inspection.Kind.PATROL
    with pytest.raises(ValidationError):
        s.hazard_reinspect(actor=officer, hazard=hazard, inspection=patrol, passed=True)
    failed = s.inspection_record(actor=officer, enterprise=cell_enterprise, kind=Inspection.Kind.VERIFICATION)
    assert s.hazard_reinspect(actor=officer, hazard=hazard, inspection=failed, passed=False).status == "rectifying"
    passed = s.inspection_record(actor=officer, enterprise=cell_enterprise, kind=Inspection.Kind.VERIFICATION)
    s.hazard_reinspect(actor=officer, hazard=hazard, inspection=passed, passed=True)
    hazard = s.hazard_close(actor=officer, hazard=hazard)
    assert hazard.status == "closed" and hazard.reinspection == passed and hazard.closed_on == TODAY


def test_major_hazard_cites_a_criterion(officer, cell_enterprise):
    with pytest.raises(ValidationError):
        _hazard(officer, cell_enterprise, level="major")
    with pytest.raises(ValidationError):
        _hazard(officer, cell_enterprise, level="major", criterion_code="M10-99-1")
    assert _hazard(officer, cell_enterprise, level="major", criterion_code="M10-11-3").criterion_code == "M10-11-3"
    # Judged by the criteria in force on the day found: 2019 is the 2017 standard's.
    in_2019 = {"found_on": dt.date(2019, 6, 3), "deadline": dt.date(2019, 6, 30)}
    with pytest.raises(ValidationError, match="不在施行期内"):
        _hazard(officer, cell_enterprise, level="major", criterion_code="M10-11-3", **in_2019)
    assert _hazard(officer, cell_enterprise, level="major", criterion_code="S17-1-3", **in_2019).criterion_code \
        == "S17-1-3"


def test_escalation_moves_major_hazards_only(officer, supervisor, enforcers, cell_enterprise, settings):
    """挂牌督办 is for major hazards, from the day they are determined; an overdue general
    hazard stays in rectification and is listed for an order to rectify (安全生产法 第一百零二条)."""
    settings.GRIDMAP_SUPERVISED_DEADLINE_DAYS = 20
    found = dt.date(2024, 3, 1)
    late_general = _hazard(supervisor, cell_enterprise, found_on=found, deadline=dt.date(2024, 3, 10))
    major = _hazard(supervisor, cell_enterprise, found_on=found, deadline=dt.date(2024, 3, 31), level="major",
                    criterion_code=criteria_on(found)[0].code)
    # Supervised from the day it is determined, with its own deadline.
    assert (major.status, major.supervised_on, major.supervised_deadline) == \
        ("supervised", found, dt.date(2024, 3, 31))
    # A major hazard written by another path (before this rule) is moved, from its day found.
    Hazard.objects.filter(pk=major.pk).update(status="rectifying", supervised_on=None, supervised_deadline=None)
    out = StringIO()
    call_command("escalate_overdue", "--date", "2024-04-11", stdout=out)
    late_general.refresh_from_db()
    major.refresh_from_db()
    assert late_general.status == "found" and late_general.supervised_on is None
    assert major.status == "supervised" and major.supervised_on == found
    assert major.supervised_deadline == dt.date(2024, 5, 1)  # its deadline had passed: 20 days from the run
    assert "挂牌督办：1 项重大隐患" in out.getvalue()
    assert "逾期一般隐患" in out.getvalue() and "第一百零二条" in out.getvalue()
    assert late_general.pk in set(s.overdue_general_hazards(dt.date(2024, 4, 11)).values_list("pk", flat=True))
    # Running again moves nothing; the database refuses a supervised general hazard.
    assert s.hazards_escalate_overdue(on=dt.date(2024, 4, 12)) == []
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=late_general.pk).update(status="supervised", supervised_deadline=TODAY)
    # A major hazard is re-inspected by two certified staff and closed by the bureau only.
    valid, other, _expired = enforcers
    check = s.inspection_record(actor=supervisor, enterprise=cell_enterprise, kind="reinspection",
                                inspected_on=dt.date(2024, 3, 25), inspectors=[valid, other])
    s.hazard_reinspect(actor=supervisor, hazard=major, inspection=check, passed=True)
    with pytest.raises(PermissionDenied, match="重大隐患"):
        s.hazard_close(actor=officer, hazard=major, on=dt.date(2024, 3, 26))
    assert s.hazard_close(actor=supervisor, hazard=major, on=dt.date(2024, 3, 26)).status == "closed"


def test_major_decision_needs_legal_review_and_valid_certificates(supervisor, enforcers, cell_enterprise):
    valid, other, expired = enforcers
    doc = s.document_create(actor=supervisor, kind="penalty_decision", number="津静应急罚〔2025〕T1号",
                           enterprise=cell_enterprise, signers=[valid, other], fine_amount="80000")
    with pytest.raises(ValidationError, match="法制审核"):
        s.document_issue(actor=supervisor, document=doc, issued_on=TODAY)
    s.legal_review_record(actor=supervisor, document=doc, reviewed_on=TODAY, approved=True,
                          opinion="事实清楚，程序合法", checks=PASSED)
    assert s.document_issue(actor=supervisor, document=doc, issued_on=TODAY).status == "issued"
    # A signer without a valid certificate is refused when drafting, and again when the
    # certificate has run out by the day of issue.
    with pytest.raises(ValidationError, match="执法证"):
        s.document_create(actor=supervisor, kind="order_to_correct", number="津静应急责改〔2025〕T2号",
                          enterprise=cell_enterprise, signers=[valid, expired])
    assert not EnforcementDocument.objects.filter(number="津静应急责改〔2025〕T2号").exists()
    stale = s.document_create(actor=supervisor, kind="order_to_correct", number="津静应急责改〔2025〕T2号",
                              enterprise=cell_enterprise, signers=[valid, other])
    # The certificate runs out between the draft and the issue (an issue date may not lie ahead).
    EnforcementCertificate.objects.filter(user=other).update(expires=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="执法证"):
        s.document_issue(actor=supervisor, document=stale, issued_on=TODAY)
    with pytest.raises(ValidationError):
        s.document_create(actor=supervisor, kind="order_to_correct", number="X-3", enterprise=cell_enterprise,
                          signers=[valid, other], fine_amount=100)
    assert EnforcementDocument.objects.get(pk=stale.pk).status == "draft"


def test_officers_cannot_issue_documents(officer, cell_enterprise):
    with pytest.raises(PermissionDenied):
        s.document_create(actor=officer, kind="order_to_correct", number="Y-1", enterprise=cell_enterprise,
                         signers=[officer])


def test_report_routed_to_the_cells_officer(supervisor):
    code = "120118103-002"
    lon, lat = inside(code)
    report = s.report_submit(actor=supervisor, description="有企业夜间违规动火", lon=lon, lat=lat,
                             photos=[png_upload()], reporter_phone="13800000000")
    assert report.cell.code == code and report.assignee == officer_of(code)
    officer = officer_of(code)
    with pytest.raises(ValidationError):
        s.report_handle(actor=officer, report=report, status="handled")  # no result
    s.report_handle(actor=officer, report=report, status="handling")
    report = s.report_handle(actor=officer, report=report, status="handled", result="已核查，责令整改")
    assert report.status == Report.Status.HANDLED and report.handled_on == TODAY
    with pytest.raises(PermissionDenied):
        s.report_handle(actor=officer_of("120118101-001"), report=report, status="handled", result="x")


def test_the_first_hazards_are_the_head_of_the_whole_list(officer, cell_enterprise, supervisor):
    """first_hazards_for_user picks before it joins: the same hazards, in the same order
    (overdue first, then by due date), as the head of hazards_for_user's list, within scope."""
    from gridmap.inspections import selectors

    for days in (-9, -3, 0, 4, 12, -1, 30, 2):
        deadline = TODAY + dt.timedelta(days=days)
        major = {"level": "major", "criterion_code": criteria_on(deadline)[0].code} if days == 12 else {}
        hazard = _hazard(supervisor, cell_enterprise, deadline=deadline, found_on=min(TODAY, deadline), **major)
        if days == 12:
            Hazard.objects.filter(pk=hazard.pk).update(supervised_deadline=TODAY - dt.timedelta(days=5))
    for user in (supervisor, officer, officer_of("120118101-001")):
        everything = list(selectors.hazards_for_user(user, open_only=True).values_list("pk", flat=True))
        for n in (1, 5, 500):
            head = [h.pk for h in selectors.first_hazards_for_user(user, n, open_only=True)]
            assert head == everything[:n]
    listed = [h.pk for h in selectors.first_hazards_for_user(officer, 4, open_only=True)]
    overdue = [h.is_overdue for h in Hazard.objects.filter(pk__in=listed)]
    assert len(listed) == 4 and all(overdue)
