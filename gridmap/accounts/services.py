"""Writes of accounts that other apps ask for without naming a role."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Role, User


@transaction.atomic
def roles_grant(*, grid_officers: Iterable[User] = (), grid_heads: Iterable[User] = ()) -> None:
    """Give people the account role their grid duty implies: a duty on a cell (officer or
    substitute) makes a grid officer, a duty on a level-I grid (town supervisor, contact
    leader) a grid head. Roles already held are kept; nothing is taken away."""
    through = User.groups.through
    memberships = []
    for role, users in ((Role.GRID_OFFICER, list(grid_officers)), (Role.GRID_HEAD, list(grid_heads))):
        if not users:
            continue
        group = Group.objects.get_or_create(name=role)[0]
        for user in users:
            memberships.append(through(user_id=user.pk, group_id=group.pk))
            # What m2m_changed does for groups.add(): the user object reads its roles again.
            user.__dict__.pop("_role_names", None)
    through.objects.bulk_create(memberships, ignore_conflicts=True)
