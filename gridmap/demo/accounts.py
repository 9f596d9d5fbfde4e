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


def sample_enterprise_accounts_load(*, password_hash: str) -> int:
    """Every sample enterprise gets its safety contact's account (企业用户), named by its credit
    code, signing in with the demo password at once (a real account starts with a one-time
    code, enterprises.services.enterprise_account_open). Set-based, with the one hash the
    sample computes: no password is hashed here, and a reload adds only what is missing."""
    from gridmap.enterprises.models import Enterprise, EnterpriseAccount

    user_model = get_user_model()
    missing = Enterprise.objects.exclude(credit_code__in=user_model.objects.values("username")).values_list(
        "credit_code", "safety_contact", "safety_phone")
    user_model.objects.bulk_create(
        [user_model(username=code, full_name=(contact or "")[:64], phone=(phone or "")[:32], password=password_hash)
         for code, contact, phone in missing], ignore_conflicts=True)
    users = dict(user_model.objects.filter(username__in=Enterprise.objects.values("credit_code"))
                 .values_list("username", "pk"))
    group = Group.objects.get_or_create(name=Role.ENTERPRISE)[0]
    user_model.groups.through.objects.bulk_create(
        [user_model.groups.through(user_id=pk, group_id=group.pk) for pk in users.values()], ignore_conflicts=True)
    before = EnterpriseAccount.objects.count()
    EnterpriseAccount.objects.bulk_create(
        [EnterpriseAccount(user_id=users[code], enterprise_id=pk, duty=EnterpriseAccount.Duty.SAFETY_CONTACT)
         for pk, code in Enterprise.objects.values_list("pk", "credit_code") if code in users],
        ignore_conflicts=True)
    return EnterpriseAccount.objects.count() - before
