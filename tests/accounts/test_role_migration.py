"""accounts 0008: the groups "supervisor" and "officer" become "bureau_staff" and "grid_officer"."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from gridmap.accounts.capabilities import ASSIGN_INSPECTIONS

pytestmark = pytest.mark.django_db
migration = importlib.import_module("gridmap.accounts.migrations.0008_rename_role_groups")


def members(name: str) -> set[str]:
    return set(get_user_model().objects.filter(groups__name=name).values_list("username", flat=True))


def test_the_groups_are_renamed_back_and_forth_with_their_members():
    staff, officers = members("bureau_staff"), members("grid_officer")
    assert "supervisor" in staff and "officer0001" in officers

    migration.backwards(apps, None)
    assert members("supervisor") == staff and members("officer") == officers
    assert not Group.objects.filter(name__in=("bureau_staff", "grid_officer")).exists()

    migration.forwards(apps, None)
    assert members("bureau_staff") == staff and members("grid_officer") == officers
    assert not Group.objects.filter(name__in=("supervisor", "officer")).exists()
    assert ASSIGN_INSPECTIONS.allows(get_user_model().objects.get(username="supervisor"))


def test_a_group_already_holding_the_new_name_takes_in_the_old_ones_members():
    old = Group.objects.create(name="supervisor")
    latecomer = get_user_model().objects.create(username="old-group-member")
    latecomer.groups.add(old)
    staff = members("bureau_staff")

    migration.forwards(apps, None)
    assert members("bureau_staff") == staff | {"old-group-member"}
    assert not Group.objects.filter(name="supervisor").exists()
