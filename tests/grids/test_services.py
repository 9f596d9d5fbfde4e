"""Assignment services: create, move, replace, end; the actor and the history."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridmap.core.history import history_of
from gridmap.grids.models import Grid, GridAssignment
from gridmap.grids.scope import scope_for
from gridmap.grids.services import assignment_create, assignment_end, assignment_move, assignment_replace
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def supervisor():
    return get_user_model().objects.get(username="supervisor")


def test_create_records_the_actor_on_the_row_and_in_the_history(supervisor):
    person = make_user("newofficer", full_name="新网格员")
    cell = Grid.objects.get(code="120118100-001")
    assignment = assignment_create(actor=supervisor, user=person, grid=cell, role="cell_officer")
    assert assignment.created_by == supervisor
    assert "grid_officer" in person.role_names()
    [event] = history_of(assignment)
    assert event.label == "新建" and event.action == "分配" and "supervisor" in event.who
    assert list(scope_for(person).cells()) == [cell]


def test_only_supervisors_and_administrators_assign():
    officer = GridAssignment.objects.filter(role="cell_officer").first().user
    cell = Grid.objects.get(code="120118100-001")
    with pytest.raises(PermissionDenied):
        assignment_create(actor=officer, user=officer, grid=cell, role="cell_officer")
    head = get_user_model().objects.get(username="head01")
    with pytest.raises(PermissionDenied):
        assignment_create(actor=head, user=officer, grid=cell, role="cell_officer")


def test_rules_officers_on_cells_substitutes_with_a_range_no_overlap(supervisor):
    person = make_user("rules1")
    town = Grid.objects.get(code="120118100")
    cell = Grid.objects.get(code="120118100-001")
    with pytest.raises(ValidationError, match="二级"):
        assignment_create(actor=supervisor, user=person, grid=town, role="cell_officer")
    with pytest.raises(ValidationError, match="起止日期"):
        assignment_create(actor=supervisor, user=person, grid=cell, role="substitute", valid_from=TODAY)
    with pytest.raises(ValidationError, match="结束日期早于"):
        assignment_create(actor=supervisor, user=person, grid=cell, role="cell_officer",
                          valid_from=TODAY, valid_to=TODAY - dt.timedelta(days=1))
    assignment_create(actor=supervisor, user=person, grid=cell, role="cell_officer", valid_from=TODAY)
    with pytest.raises(ValidationError, match="已是"):
        assignment_create(actor=supervisor, user=person, grid=cell, role="cell_officer",
                          valid_from=TODAY + dt.timedelta(days=10))


def test_substitute_created_by_the_service_sees_the_cell_only_within_the_range(supervisor, api_client):
    person = make_user("sub-svc")
    cell = Grid.objects.get(code="120118101-002")
    start, end = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=7)
    assignment_create(actor=supervisor, user=person, grid=cell, role="substitute", valid_from=start, valid_to=end)
    assert not scope_for(person, TODAY).cells().exists()
    assert list(scope_for(person, start).cells()) == [cell]
    assert list(scope_for(person, end).cells()) == [cell]
    assert not scope_for(person, end + dt.timedelta(days=1)).cells().exists()
    # And through the API, today (before the range): nothing.
    api_client.force_authenticate(person)
    assert json.loads(api_client.get("/api/grids/", {"level": 2}).content)["features"] == []
    assert api_client.get(f"/api/grids/{cell.code}/").status_code == 404


def test_move_changes_what_the_officer_sees_at_once_and_is_in_the_history(supervisor, api_client):
    assignment = GridAssignment.objects.filter(grid__code="120118102-001", role="cell_officer").first()
    officer, old = assignment.user, assignment.grid
    target = Grid.objects.get(code="120118102-002")
    api_client.force_authenticate(officer)
    assert api_client.get(f"/api/grids/{old.code}/").status_code == 200
    assert api_client.get(f"/api/grids/{target.code}/").status_code == 404

    new = assignment_move(actor=supervisor, assignment=assignment, to_grid=target, note="人员调整")

    features = json.loads(api_client.get("/api/grids/", {"level": 2}).content)["features"]
    assert [f["properties"]["code"] for f in features] == [target.code]
    assert api_client.get(f"/api/grids/{old.code}/").status_code == 404
    assignment.refresh_from_db()
    assert assignment.valid_to == TODAY - dt.timedelta(days=1)
    assert new.valid_from == TODAY and new.grid == target and new.created_by == supervisor
    old_events = history_of(assignment)
    assert [e.label for e in old_events] == ["新建", "修改"]
    assert old_events[-1].action == "调动" and "supervisor" in old_events[-1].who
    assert ("结束日期", "—", str(TODAY - dt.timedelta(days=1))) in old_events[-1].changes
    assert history_of(new)[0].action == "调动"


def test_replace_hands_the_duty_over_and_end_stops_it(supervisor):
    assignment = GridAssignment.objects.filter(grid__code="120118103-001", role="cell_officer").first()
    before, cell = assignment.user, assignment.grid
    successor = make_user("successor")
    new = assignment_replace(actor=supervisor, assignment=assignment, user=successor)
    assert not scope_for(before).cells().filter(pk=cell.pk).exists()
    assert list(scope_for(successor).cells()) == [cell]
    assert "grid_officer" in successor.role_names()
    assignment_end(actor=supervisor, assignment=new, last_day=TODAY)
    assert list(scope_for(successor, TODAY).cells()) == [cell]
    assert not scope_for(successor, TODAY + dt.timedelta(days=1)).cells().exists()
    with pytest.raises(ValidationError, match="已于"):
        assignment_end(actor=supervisor, assignment=new, last_day=TODAY)


def test_moving_a_planned_assignment_moves_it_without_an_empty_range(supervisor):
    person = make_user("planned")
    a = assignment_create(actor=supervisor, user=person, grid=Grid.objects.get(code="120118104-001"),
                          role="cell_officer", valid_from=TODAY + dt.timedelta(days=5))
    new = assignment_move(actor=supervisor, assignment=a, to_grid=Grid.objects.get(code="120118104-002"))
    assert not GridAssignment.objects.filter(pk=a.pk).exists()
    assert new.valid_from == TODAY + dt.timedelta(days=5)
    assert [e.label for e in history_of(a)] == ["新建", "删除"]
