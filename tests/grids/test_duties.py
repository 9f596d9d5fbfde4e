"""Duties on a grid: grids 0004 renames the stored values, and the roster still reads the old ones."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from gridmap.geo.readers import ImportRefused
from gridmap.grids.models import Grid, GridAssignment
from gridmap.grids.roster import import_roster

pytestmark = pytest.mark.django_db
migration = importlib.import_module("gridmap.grids.migrations.0004_assignment_duty_values")
HEADER = "username,name,phone,grid_code,role\n"


def test_the_migration_maps_old_duty_values_and_back():
    cell = Grid.objects.get(code="120118108-003")
    user = get_user_model().objects.create(username="old-duty")
    old = GridAssignment.objects.create(user=user, grid=cell, role="officer", district_code="120118")
    head = GridAssignment.objects.create(user=user, grid=cell.parent, role="supervisor", district_code="120118")
    substitute = GridAssignment.objects.create(user=user, grid=cell, role="substitute", district_code="120118",
                                               valid_from="2026-07-01", valid_to="2026-07-31")
    counts = {duty: GridAssignment.objects.filter(role=duty).count() for duty in GridAssignment.Duty.values}

    migration.forwards(apps, None)
    for row, value in ((old, "cell_officer"), (head, "town_supervisor"), (substitute, "substitute")):
        row.refresh_from_db()
        assert row.role == value
    assert not GridAssignment.objects.filter(role__in=("officer", "supervisor")).exists()

    migration.backwards(apps, None)
    old.refresh_from_db()
    head.refresh_from_db()
    assert (old.role, head.role) == ("officer", "supervisor")
    assert GridAssignment.objects.filter(role="officer").count() == counts["cell_officer"] + 1
    assert GridAssignment.objects.filter(role="supervisor").count() == counts["town_supervisor"] + 1
    assert GridAssignment.objects.filter(role="substitute").count() == counts["substitute"]


def test_the_roster_reads_the_old_duty_values_as_the_new_ones(tmp_path):
    roster = tmp_path / "old.csv"
    roster.write_text(HEADER + "alias-officer,别名网格员,13800000001,120118108-003,officer\n"
                               "alias-head,别名负责人,13800000002,120118108,supervisor\n", encoding="utf-8")
    report = import_roster(roster)
    assert report.assignments_created == 2
    officer = get_user_model().objects.get(username="alias-officer")
    head = get_user_model().objects.get(username="alias-head")
    assert list(officer.grid_assignments.values_list("role", flat=True)) == ["cell_officer"]
    assert list(head.grid_assignments.values_list("role", flat=True)) == ["town_supervisor"]
    assert officer.role_names() == {"grid_officer"} and head.role_names() == {"grid_head"}


def test_the_roster_takes_the_new_values_and_names_choices_and_aliases_when_refusing(tmp_path):
    good = tmp_path / "new.csv"
    good.write_text(HEADER + "new-duty,新值网格员,13800000003,120118108-003,cell_officer\n", encoding="utf-8")
    assert import_roster(good).assignments_created == 1
    assert get_user_model().objects.get(username="new-duty").role_names() == {"grid_officer"}

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "bad-duty,错值,13800000004,120118108-003,boss\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_roster(bad)
    message = str(refused.value)
    assert "'boss'" in message and "bad.csv 第 2 行" in message
    for value in ("cell_officer", "substitute", "town_supervisor", "contact_leader", "officer", "supervisor"):
        assert value in message
