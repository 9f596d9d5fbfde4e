"""Demo accounts of the roles the sample's rosters do not make: one law-enforcement officer
and one station data feed (their landings and menus can be tried as any other role's)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from gridmap.accounts.models import Role

ROLE_ACCOUNTS = (
    ("law", "执法人员（演示）", Role.LAW_ENFORCEMENT),
    ("gauge", "水雨情数据接入（演示）", Role.GAUGE_FEED),
)


def sample_role_accounts_load(*, password_hash: str) -> None:
    for username, full_name, role in ROLE_ACCOUNTS:
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"full_name": full_name, "password": password_hash})
        user.groups.add(Group.objects.get_or_create(name=role)[0])
