"""Reads of accounts that other apps ask for without naming a role."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Role, User


def active_users_with_grid_officer_role() -> QuerySet[User]:
    """Active accounts holding the grid-officer role, whether or not on duty today."""
    return User.objects.filter(is_active=True, groups__name=Role.GRID_OFFICER)


# Where a user lands after signing in, by their strongest role. The pages behind these
# names live in workspaces, which turns a landing into a URL (workspaces.grids.views.home).
LANDING_BY_ROLE = (
    (Role.ADMINISTRATOR, "overview"),
    (Role.BUREAU_STAFF, "overview"),
    (Role.FLOOD_COMMAND, "flood"),
    (Role.GRID_HEAD, "town"),
    (Role.GRID_OFFICER, "cell"),
    (Role.LAW_ENFORCEMENT, "my_tasks"),
    (Role.GAUGE_FEED, "devices"),
    (Role.ENTERPRISE, "enterprise"),
)


def landing_for(user) -> str:
    """The kind of page a user starts from: overview, flood, town, cell, my_tasks, devices,
    enterprise, or map (no role of those)."""
    if user.is_superuser:
        return "overview"
    roles = user.role_names()
    return next((landing for role, landing in LANDING_BY_ROLE if role in roles), "map")
