"""Writes to officer assignments: create, move, replace, end.

Every service is keyword-only, runs in one transaction, refuses what breaks a rule with a
ValidationError in Chinese, and records the actor twice: on the row (`created_by`) and in
the history context (django-pghistory), which keeps every change with who, when and what.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gridmap.accounts.capabilities import ASSIGN_OFFICERS
from gridmap.accounts.models import User
from gridmap.accounts.services import roles_grant
from gridmap.core.history import recorded_as

from .models import CELL_DUTIES, Grid, GridAssignment

ONE_DAY = dt.timedelta(days=1)


def _grant_role_of_duty(user: User, duty: str) -> None:
    """The duty implies the account role, as the roster importer does."""
    if duty in CELL_DUTIES:
        roles_grant(grid_officers=[user])
    else:
        roles_grant(grid_heads=[user])


def _check_range(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": "结束日期早于起始日期"})


def _check_grid_for_role(grid: Grid, role: str) -> None:
    if role not in GridAssignment.Duty.values:
        raise ValidationError({"role": f"职责 {role!r} 无效"})
    if role in CELL_DUTIES and grid.level < Grid.Level.LEVEL_2:
        raise ValidationError({"grid": f"网格员只能分配到二级（或更低）网格，{grid.name} 是{grid.get_level_display()}"})


def _overlapping(*, user: User, grid: Grid, role: str, valid_from: dt.date | None,
                 valid_to: dt.date | None, exclude: int | None = None):
    """Assignments of the same person, grid and duty whose date range meets this one."""
    queryset = GridAssignment.objects.filter(user=user, grid=grid, role=role)
    if valid_to is not None:
        queryset = queryset.exclude(valid_from__gt=valid_to)
    if valid_from is not None:
        queryset = queryset.exclude(valid_to__lt=valid_from)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    return queryset


@transaction.atomic
def assignment_create(*, actor: User, user: User, grid: Grid, role: str,
                      valid_from: dt.date | None = None, valid_to: dt.date | None = None,
                      note: str = "") -> GridAssignment:
    """Give a person a duty on a grid, optionally for a date range (a substitute needs one)."""
    ASSIGN_OFFICERS.require(actor)
    _check_grid_for_role(grid, role)
    _check_range(valid_from, valid_to)
    if role == GridAssignment.Duty.SUBSTITUTE and not (valid_from and valid_to):
        raise ValidationError({"valid_to": "代岗网格员必须填写起止日期"})
    if not user.is_active:
        raise ValidationError({"user": f"账户 {user.username} 已停用"})
    if _overlapping(user=user, grid=grid, role=role, valid_from=valid_from, valid_to=valid_to).exists():
        raise ValidationError({"user": f"{user} 在该时段已是 {grid.name} 的{GridAssignment.Duty(role).label}"})
    with recorded_as(actor, "assignment_create"):
        assignment = GridAssignment.objects.create(
            user=user, grid=grid, role=role, valid_from=valid_from, valid_to=valid_to,
            district_code=grid.district_code, created_by=actor, note=note[:200])
        _grant_role_of_duty(user, role)
    return assignment


def _end_before(assignment: GridAssignment, day: dt.date) -> bool:
    """End an assignment so that `day` is the first day without it.

    An assignment that had not begun by then is removed instead (its range would be empty);
    the history keeps it. Returns False when it had already ended before `day`.
    """
    if assignment.valid_to is not None and assignment.valid_to < day:
        return False
    if assignment.valid_from is not None and assignment.valid_from >= day:
        assignment.delete()
    else:
        assignment.valid_to = day - ONE_DAY
        assignment.save(update_fields=["valid_to"])
    return True


def _locked(assignment: GridAssignment) -> GridAssignment:
    # Two supervisors editing the same assignment: the second waits and sees the first's result.
    return GridAssignment.objects.select_for_update().select_related("grid", "user").get(pk=assignment.pk)


@transaction.atomic
def assignment_end(*, actor: User, assignment: GridAssignment, last_day: dt.date | None = None,
                   note: str = "") -> GridAssignment:
    """End a duty: `last_day` (default today) is its last day."""
    ASSIGN_OFFICERS.require(actor)
    assignment = _locked(assignment)
    last_day = last_day or timezone.localdate()
    if assignment.valid_to is not None and assignment.valid_to <= last_day:
        raise ValidationError({"last_day": f"该职责已于 {assignment.valid_to} 结束"})
    with recorded_as(actor, "assignment_end", note=note[:200]):
        _end_before(assignment, last_day + ONE_DAY)
    return assignment


@transaction.atomic
def assignment_move(*, actor: User, assignment: GridAssignment, to_grid: Grid,
                    on: dt.date | None = None, note: str = "") -> GridAssignment:
    """Move a person's duty to another grid from `on` (default today), at once.

    The old assignment ends the day before; the new one keeps the duty and the planned end.
    """
    ASSIGN_OFFICERS.require(actor)
    assignment = _locked(assignment)
    on = on or timezone.localdate()
    if to_grid.pk == assignment.grid_id:
        raise ValidationError({"to_grid": "目标网格与原网格相同"})
    _check_grid_for_role(to_grid, assignment.role)
    if assignment.valid_to is not None and assignment.valid_to < on:
        raise ValidationError({"on": f"该职责已于 {assignment.valid_to} 结束，无法调动"})
    valid_from = max(on, assignment.valid_from) if assignment.valid_from else on
    valid_to = assignment.valid_to
    if _overlapping(user=assignment.user, grid=to_grid, role=assignment.role,
                    valid_from=valid_from, valid_to=valid_to).exists():
        raise ValidationError({"to_grid": f"{assignment.user} 在该时段已在 {to_grid.name} 任职"})
    with recorded_as(actor, "assignment_move", note=note[:200], from_grid=assignment.grid.code,
                  to_grid=to_grid.code):
        _end_before(assignment, valid_from)
        return GridAssignment.objects.create(
            user=assignment.user, grid=to_grid, role=assignment.role, valid_from=valid_from,
            valid_to=valid_to, district_code=to_grid.district_code, created_by=actor,
            note=note[:200])


@transaction.atomic
def assignment_replace(*, actor: User, assignment: GridAssignment, user: User,
                       on: dt.date | None = None, note: str = "") -> GridAssignment:
    """Hand a duty to another person from `on` (default today); the current holder's ends."""
    ASSIGN_OFFICERS.require(actor)
    assignment = _locked(assignment)
    on = on or timezone.localdate()
    if user.pk == assignment.user_id:
        raise ValidationError({"user": "接替人与现任相同"})
    if not user.is_active:
        raise ValidationError({"user": f"账户 {user.username} 已停用"})
    if assignment.valid_to is not None and assignment.valid_to < on:
        raise ValidationError({"on": f"该职责已于 {assignment.valid_to} 结束，无法替换"})
    valid_from = max(on, assignment.valid_from) if assignment.valid_from else on
    valid_to = assignment.valid_to
    if _overlapping(user=user, grid=assignment.grid, role=assignment.role, valid_from=valid_from,
                    valid_to=valid_to).exists():
        raise ValidationError({"user": f"{user} 在该时段已是该网格的{assignment.get_role_display()}"})
    with recorded_as(actor, "assignment_replace", note=note[:200], replaced=assignment.user.username):
        _end_before(assignment, valid_from)
        new = GridAssignment.objects.create(
            user=user, grid=assignment.grid, role=assignment.role, valid_from=valid_from,
            valid_to=valid_to, district_code=assignment.district_code, created_by=actor,
            note=note[:200])
        _grant_role_of_duty(user, assignment.role)
    return new

