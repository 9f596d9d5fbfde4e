"""Writes of accounts: roles granted for grid duties (other apps ask without naming a role),
device tokens, and the end of a user's sign-ins."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from knox.settings import knox_settings

from gridmap.core import versions
from gridmap.core.conf import app_settings as core_settings
from gridmap.core.ratelimit import rate_limit_take

from .capabilities import ASSIGN_OFFICERS
from .models import DeviceToken, Role, User


@transaction.atomic
def roles_grant(*, grid_officers: Iterable[User] = (), grid_heads: Iterable[User] = (),
                enterprise_users: Iterable[User] = ()) -> None:
    """Give people the account role their grid duty implies: a duty on a cell (officer or
    substitute) makes a grid officer, a duty on a level-I grid (town supervisor, contact
    leader) a grid head; an enterprise account (enterprises.EnterpriseAccount) an enterprise
user. Roles already held are kept; nothing is taken away."""
    through = User.groups.through
    memberships = []
    for role, users in ((Role.GRID_OFFICER, list(grid_officers)), (Role.GRID_HEAD, list(grid_heads)),
                        (Role.ENTERPRISE, list(enterprise_users))):
        if not users:
            continue
        group = Group.objects.get_or_create(name=role)[0]
        for user in users:
            memberships.append(through(user_id=user.pk, group_id=group.pk))
            # What m2m_changed does for groups.add(): the user object reads its roles again.
            user.__dict__.pop("_role_names", None)
    through.objects.bulk_create(memberships, ignore_conflicts=True)


def device_token_create(*, user, name: str = "") -> tuple[DeviceToken, str]:
    """A new token for one device; the key is returned once and only its digest is kept."""
    token, key = DeviceToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL, name=name.strip()[:64])
    return token, key


@transaction.atomic
def device_token_issue(*, user, name: str = "") -> tuple[DeviceToken, str]:
    """A token asked for through the API (sign-in or a new device): counted against the
    user's hourly limit (gridmap.core.ratelimit), refused with 429 beyond it."""
    rate_limit_take(user=user, action="token", per_hour=core_settings.RATE_TOKENS_PER_HOUR, what="签发令牌")
    return device_token_create(user=user, name=name)


def device_tokens_visible(actor, owner) -> bool:
    return actor.pk == owner.pk or ASSIGN_OFFICERS.allows(actor)


@transaction.atomic
def device_token_revoke(*, actor, token: DeviceToken) -> None:
    """The owner revokes their own device; those who assign officers revoke anyone's."""
    if not device_tokens_visible(actor, token.user):
        ASSIGN_OFFICERS.require(actor)
    token.delete()
    transaction.on_commit(versions.forget)


@transaction.atomic
def user_sign_ins_end(*, user_id: int) -> None:
    """Every token and every session of the user ends now (a deactivation, the last role
    taken away)."""
    DeviceToken.objects.filter(user_id=user_id).delete()
    ended = [session.pk for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
             if session.get_decoded().get("_auth_user_id") == str(user_id)]
    Session.objects.filter(pk__in=ended).delete()
    transaction.on_commit(versions.forget)
