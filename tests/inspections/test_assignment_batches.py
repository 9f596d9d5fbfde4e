"""Assigning many enterprises at once: spread evenly over the cells' officers on duty,
previewed without writing, kept as one batch that can be withdrawn the same day while none
of its tasks has started."""

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridmap.enterprises.models import Enterprise
from gridmap.grids.models import GridAssignment
from gridmap.grids.scope import on_duty_on
from gridmap.inspections import services
from gridmap.inspections.models import AssignmentBatch, InspectionTask

pytestmark = pytest.mark.django_db
TWO_OFFICERS = ("120118100-001", "120118402-003")
DUE = timezone.localdate() + dt.timedelta(days=700)  # a period no other test uses


@pytest.fixture
def supervisor():
    return get_user_model().objects.get(username="supervisor")


def officers_on_duty(code):
    return set(GridAssignment.objects.filter(on_duty_on(timezone.localdate()), grid__code=code,
                                             role=GridAssignment.Duty.CELL_OFFICER).values_list("user_id", flat=True))


def test_new_tasks_are_spread_evenly_over_each_cells_officers(supervisor):
    ids = list(Enterprise.objects.filter(cell__code__in=TWO_OFFICERS).values_list("pk", flat=True))
    result = services.tasks_assign(actor=supervisor, enterprise_ids=ids, due_date=DUE)
    assert len(result.created) == len(ids) and result.batch.task_count == len(ids)
    for code in TWO_OFFICERS:
        counts = Counter(InspectionTask.objects.filter(batch=result.batch, cell__code=code)
                         .values_list("assignee_id", flat=True))
        assert set(counts) == officers_on_duty(code) and len(counts) == 2
        assert max(counts.values()) - min(counts.values()) <= 1, (code, counts)


def test_a_preview_writes_nothing_and_says_what_would_be_made(supervisor):
    ids = list(Enterprise.objects.filter(cell__code=TWO_OFFICERS[0]).values_list("pk", flat=True)[:7])
    before = InspectionTask.objects.count(), AssignmentBatch.objects.count()
    preview = services.tasks_assign(actor=supervisor, enterprise_ids=ids, due_date=DUE, preview=True)
    assert len(preview.created) == 7 and preview.batch is None
    assert sum(n for _person, n in preview.per_assignee()) == 7
    assert (InspectionTask.objects.count(), AssignmentBatch.objects.count()) == before


def test_a_batch_is_undone_the_same_day_while_nothing_has_started(supervisor):
    ids = list(Enterprise.objects.filter(cell__code=TWO_OFFICERS[1]).values_list("pk", flat=True)[:5])
    batch = services.tasks_assign(actor=supervisor, enterprise_ids=ids, due_date=DUE).batch
    task = batch.tasks.order_by("pk").first()
    services.task_transition(actor=task.assignee, task=task, action="start")
    with pytest.raises(ValidationError, match="已有任务开始检查"):
        services.assignment_batch_undo(actor=supervisor, batch=batch)
    assert batch.tasks.count() == 5

    again = services.tasks_assign(actor=supervisor, enterprise_ids=ids, due_date=DUE + dt.timedelta(days=100))
    assert services.assignment_batch_undo(actor=supervisor, batch=again.batch) == 5
    again.batch.refresh_from_db()
    assert again.batch.undone_by == supervisor and not InspectionTask.objects.filter(batch=again.batch).exists()
    with pytest.raises(ValidationError, match="已撤销"):
        services.assignment_batch_undo(actor=supervisor, batch=again.batch)


def test_a_batch_of_an_earlier_day_stays(supervisor):
    ids = list(Enterprise.objects.filter(cell__code=TWO_OFFICERS[1]).values_list("pk", flat=True)[5:8])
    batch = services.tasks_assign(actor=supervisor, enterprise_ids=ids, due_date=DUE).batch
    AssignmentBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    batch.refresh_from_db()
    with pytest.raises(ValidationError, match="只能在分配当天撤销"):
        services.assignment_batch_undo(actor=supervisor, batch=batch)
    assert batch.tasks.count() == 3
