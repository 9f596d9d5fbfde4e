"""Phones sync inspection records and re-inspections: a client_id stores a record once, an
inspection is judged by its own time, and a task or hazard that changed while the phone was
offline refuses the upload with its reason (issue 16 parts 5 to 7)."""

import datetime as dt
import json
import uuid
import zoneinfo

import pytest
from django.db.models import Count
from django.utils import timezone

from gridmap.enterprises.models import Enterprise
from gridmap.grids.models import Grid, GridAssignment
from gridmap.inspections import services
from gridmap.inspections.criteria import checklist_for
from gridmap.inspections.models import OPEN_TASK_STATUSES, AssignmentBatch, Hazard, Inspection, InspectionTask
from tests.concurrency import committed, sent_twice_at_once
from tests.factories import make_user, officer_of, png_upload

pytestmark = pytest.mark.django_db
# Cells the browser tests use: their live server commits what they record.
BROWSER_CELLS = ("120118108-", "120118113-")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = timezone.localdate()


def cells_with_enterprises() -> list[str]:
    cells = Grid.objects.filter(level=Grid.Level.LEVEL_2, assignments__role="cell_officer")
    for prefix in BROWSER_CELLS:
        cells = cells.exclude(code__startswith=prefix)
    return list(cells.annotate(n=Count("enterprises", distinct=True)).filter(n__gte=4)
                .order_by("code").values_list("code", flat=True)[:2])


@pytest.fixture(autouse=True)
def cells(db):
    global MINE, OTHER
    MINE, OTHER = cells_with_enterprises()


def free_enterprise(code: str) -> Enterprise:
    """An enterprise of the cell with no open task this quarter."""
    busy = InspectionTask.objects.filter(status__in=OPEN_TASK_STATUSES, period=services.period_of(TODAY))
    return (Enterprise.objects.filter(cell__code=code).exclude(pk__in=busy.values("enterprise_id"))
            .order_by("pk").first())


def task_in(supervisor, code: str) -> InspectionTask:
    return services.tasks_assign(actor=supervisor, enterprise_ids=[free_enterprise(code).pk],
                                 due_date=TODAY + dt.timedelta(days=10)).created[0]


@pytest.fixture
def task(supervisor):
    return task_in(supervisor, MINE)


@pytest.fixture
def officer_client(api_client):
    api_client.force_authenticate(officer_of(MINE))
    return api_client


def body(task, **extra) -> dict:
    code = checklist_for(task.enterprise)[0].code
    return {"items": json.dumps([{"code": code, "result": "ok", "note": ""}]), "findings": "现场检查未见异常",
            "inspected_at": timezone.now().isoformat(), **extra}


def post_inspection(client, task, **extra):
    return client.post(f"/api/inspections/tasks/{task.pk}/inspections/", body(task, **extra), format="multipart")


def test_a_retried_inspection_answers_the_first_record_and_creates_nothing(officer_client, task):
    client_id = str(uuid.uuid4())
    first_body = body(task, client_id=client_id)
    url = f"/api/inspections/tasks/{task.pk}/inspections/"
    first = officer_client.post(url, {**first_body, "photos": [png_upload()]}, format="multipart")
    assert first.status_code == 201, first.content
    count = Inspection.objects.count()
    again = officer_client.post(url, {**first_body, "photos": [png_upload()]}, format="multipart")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"] and again.json()["client_id"] == client_id
    assert Inspection.objects.count() == count
    task.refresh_from_db()
    assert task.status == "done"
    # The task lists its inspection records.
    listed = officer_client.get(f"/api/inspections/tasks/{task.pk}/").json()["inspections"]
    assert [i["id"] for i in listed] == [first.json()["id"]] and listed[0]["client_id"] == client_id


def test_the_same_client_id_with_other_content_is_a_conflict(officer_client, supervisor, task):
    client_id = str(uuid.uuid4())
    when = timezone.now().isoformat()
    assert post_inspection(officer_client, task, client_id=client_id, inspected_at=when).status_code == 201
    count = Inspection.objects.count()
    changed = post_inspection(officer_client, task, client_id=client_id, inspected_at=when, findings="发现隐患")
    assert changed.status_code == 409 and "内容不同" in changed.json()["detail"]
    # Sent as a re-inspection of a hazard, the same client_id is other content too.
    hazard = services.hazard_report(actor=supervisor, enterprise=task.enterprise, description="消防通道堵塞",
                                    deadline=TODAY + dt.timedelta(days=5))
    again = officer_client.post(f"/api/inspections/hazards/{hazard.pk}/reinspections/",
                                {"client_id": client_id, "passed": True}, format="json")
    assert again.status_code == 409
    assert Inspection.objects.count() == count
    hazard.refresh_from_db()
    assert hazard.status == "found"


def test_a_client_id_only_matches_the_callers_own_records(api_client, supervisor, task):
    client_id = str(uuid.uuid4())
    theirs_task = task_in(supervisor, OTHER)
    api_client.force_authenticate(officer_of(MINE))
    mine = post_inspection(api_client, task, client_id=client_id)
    api_client.force_authenticate(officer_of(OTHER))
    theirs = post_inspection(api_client, theirs_task, client_id=client_id)
    assert mine.status_code == theirs.status_code == 201, theirs.content
    assert mine.json()["id"] != theirs.json()["id"] and theirs.json()["task"] == theirs_task.pk


def test_a_retried_reinspection_answers_the_first_record(officer_client, supervisor, task):
    # A general hazard the bureau registered; the cell's officer verifies its rectification.
    hazard = services.hazard_report(actor=supervisor, enterprise=task.enterprise, description="配电箱未接地",
                                    deadline=TODAY + dt.timedelta(days=5))
    url = f"/api/inspections/hazards/{hazard.pk}/reinspections/"
    sent = {"client_id": str(uuid.uuid4()), "passed": "true", "findings": "已整改",
            "inspected_at": timezone.now().isoformat()}
    first = officer_client.post(url, {**sent, "photos": [png_upload()]}, format="multipart")
    assert first.status_code == 201, first.content
    count = Inspection.objects.count()
    again = officer_client.post(url, {**sent, "photos": [png_upload()]}, format="multipart")
    assert again.status_code == 200 and again.json()["reinspection"]["id"] == first.json()["reinspection"]["id"]
    assert again.json()["status"] == "reinspected" and Inspection.objects.count() == count
    record = Inspection.objects.get(pk=first.json()["reinspection"]["id"])
    # The officer's check of a general hazard is a verification (核实), not the bureau's re-inspection.
    assert record.kind == "verification" and str(record.client_id) == sent["client_id"]


def test_two_inspections_at_the_same_moment_store_one_record(supervisor):
    """Thread A records and holds its transaction open; thread B, sending the same record,
    waits on the task's row; A commits; B answers A's record."""
    officer, client_id = officer_of(MINE), uuid.uuid4()
    task = committed(lambda: task_in(supervisor, MINE))  # the threads see only committed rows
    items = [{"code": checklist_for(task.enterprise)[0].code, "result": "ok"}]
    try:
        a, b = sent_twice_at_once(lambda: services.inspection_sync(actor=officer, task=task, client_id=client_id,
                                                                   items=items, findings="同时"))
        assert a.created and not isinstance(b, Exception) and not b.created, (a, b)
        assert a.record.pk == b.record.pk
        assert Inspection.objects.filter(recorded_by=officer, client_id=client_id).count() == 1
    finally:
        committed(lambda: (Inspection.objects.filter(client_id=client_id).delete(),
                           InspectionTask.objects.filter(pk=task.pk).delete(),
                           AssignmentBatch.objects.filter(pk=task.batch_id).delete()))


# --- time decides scope -------------------------------------------------------------------

def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("field, when, message", [
    ("inspected_at", -dt.timedelta(days=31), "早于 30 天前"),
    ("inspected_at", dt.timedelta(minutes=11), "晚于现在"),
    ("inspected_at", "0001-01-01T12:00:00Z", "早于 30 天前"),
    ("inspected_on", (TODAY - dt.timedelta(days=31)).isoformat(), "早于 30 天前"),
    ("inspected_on", (TODAY + dt.timedelta(days=2)).isoformat(), "晚于今天"),
])
def test_impossible_times_are_refused_naming_the_field(officer_client, task, field, when, message):
    if isinstance(when, dt.timedelta):
        when = (timezone.now() + when).isoformat()
    sent = body(task, **{field: when})
    if field == "inspected_on":
        del sent["inspected_at"]
    response = officer_client.post(f"/api/inspections/tasks/{task.pk}/inspections/", sent, format="multipart")
    assert response.status_code == 400 and message in response.json()[field][0], response.content
    assert not task.inspections.exists()


def test_an_inspection_is_dated_by_its_own_day_in_shanghai(officer_client, task):
    yesterday = TODAY - dt.timedelta(days=1)
    # 23:30 in Tianjin is 15:30 UTC the same day; the record is of that day in Tianjin.
    response = post_inspection(officer_client, task, inspected_at=local(yesterday, 23, 30).isoformat())
    assert response.status_code == 201 and response.json()["inspected_on"] == yesterday.isoformat()
    # A date alone (inspected_on) is judged as that day.
    second = task_in(task.assigned_by, MINE)
    sent = body(second, inspected_on=yesterday.isoformat())
    del sent["inspected_at"]
    later = officer_client.post(f"/api/inspections/tasks/{second.pk}/inspections/", sent, format="multipart")
    assert later.status_code == 201 and later.json()["inspected_on"] == yesterday.isoformat(), later.content


@pytest.fixture
def substitute_task(supervisor):
    """A task of a substitute whose duty on MINE ended yesterday (Asia/Shanghai)."""
    user = make_user("sub-inspect", "grid_officer")
    GridAssignment.objects.create(user=user, grid=Grid.objects.get(code=MINE), role="substitute",
                                  valid_from=TODAY - dt.timedelta(days=3), valid_to=TODAY - dt.timedelta(days=1),
                                  district_code="120118")
    enterprise = free_enterprise(MINE)
    return InspectionTask.objects.create(enterprise=enterprise, cell=enterprise.cell, period=services.period_of(TODAY),
                                         assignee=user, assigned_by=supervisor, due_date=TODAY,
                                         district_code="120118")


def test_a_substitutes_inspection_from_the_last_duty_day_is_accepted_the_next_morning(substitute_task):
    synced = services.inspection_sync(actor=substitute_task.assignee, task=substitute_task,
                                      client_id=uuid.uuid4(), inspected_at=local(TODAY - dt.timedelta(days=1), 23, 30))
    assert synced.created and synced.record.inspected_on == TODAY - dt.timedelta(days=1)


# 00:30 the day after the duty's last day: still that last day in UTC, not in Tianjin. The duty
# is made to end the day before yesterday, so that the time is past whenever the test runs
# (today's 00:30 is ahead of the clock in Tianjin's first half-hour).
@pytest.mark.parametrize("when", [local(TODAY - dt.timedelta(days=1), 0, 30), local(TODAY - dt.timedelta(days=5), 10)])
def test_an_inspection_outside_the_officers_duty_is_refused_naming_the_date(substitute_task, when):
    from django.core.exceptions import ValidationError

    GridAssignment.objects.filter(user=substitute_task.assignee).update(valid_to=TODAY - dt.timedelta(days=2))
    with pytest.raises(ValidationError) as refused:
        services.inspection_sync(actor=substitute_task.assignee, task=substitute_task, client_id=uuid.uuid4(),
                                 inspected_at=when)
    assert "值守" in refused.value.message_dict["inspected_at"][0]
    assert not substitute_task.inspections.exists()


# --- conflicts are shown, never overwritten -------------------------------------------------

def test_a_task_closed_while_offline_refuses_the_upload(officer_client, task):
    services.task_transition(actor=officer_of(MINE), task=task, action="cannot_inspect", cannot_reason="closed")
    response = post_inspection(officer_client, task, client_id=str(uuid.uuid4()))
    assert response.status_code == 400
    assert "任务已" in response.json()["task"][0] and "无法检查" in response.json()["task"][0]
    assert "未保存" in response.json()["task"][0]
    assert not task.inspections.exists()


def test_a_task_reassigned_while_offline_refuses_the_upload(officer_client, task):
    other = make_user("reassigned-to", "grid_officer", full_name="李四")
    InspectionTask.objects.filter(pk=task.pk).update(assignee=other)
    response = post_inspection(officer_client, task, client_id=str(uuid.uuid4()))
    assert response.status_code == 400 and "改派" in response.json()["task"][0], response.content
    task.refresh_from_db()
    assert task.is_open and not task.inspections.exists()


def test_a_hazard_closed_while_offline_refuses_the_reinspection(officer_client, supervisor, task):
    officer = officer_of(MINE)
    hazard = services.hazard_report(actor=supervisor, enterprise=task.enterprise, description="消防通道堵塞",
                                    deadline=TODAY + dt.timedelta(days=5))
    services.hazard_reinspect(actor=officer, hazard=hazard, passed=True, findings="已整改")
    services.hazard_close(actor=officer, hazard=hazard)
    count = Inspection.objects.count()
    response = officer_client.post(f"/api/inspections/hazards/{hazard.pk}/reinspections/",
                                   {"client_id": str(uuid.uuid4()), "passed": True, "findings": "复查"},
                                   format="json")
    assert response.status_code == 400 and "销号" in response.json()["hazard"][0], response.content
    assert Inspection.objects.count() == count
    assert Hazard.objects.get(pk=hazard.pk).status == "closed"
