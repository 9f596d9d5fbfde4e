"""Reads of accounts that other apps ask for without naming a role."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Role, User


def active_users_with_grid_officer_role() -> QuerySet[User]:
    """Active accounts holding the grid-officer role, whether or not on duty today."""
    return User.objects.filter(is_active=True, groups__name=Role.GRID_OFFICER)
