import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from knox.models import AbstractAuthToken

from gridmap.core.models import BUMP_DATA_VERSION, data_version_trigger


class Role(models.TextChoices):
    """Roles are Django groups of these names; a user's grid rights come from grids.

    Other apps never name a role: they ask a capability (accounts.capabilities), grant the
    role a grid duty implies (accounts.services.roles_grant) or read its holders
    (accounts.selectors)."""

    GRID_OFFICER = "grid_officer", "网格员"
    GRID_HEAD = "grid_head", "一级网格负责人"
    BUREAU_STAFF = "bureau_staff", "区应急管理局监管人员"
    FLOOD_COMMAND = "flood_command", "防汛指挥"
    ADMINISTRATOR = "administrator", "系统管理员"
    LAW_ENFORCEMENT = "law_enforcement", "执法人员"
    GAUGE_FEED = "gauge_feed", "水雨情数据接入"
    ENTERPRISE = "enterprise", "企业用户"


# The password hash never enters the history; last_login changes on every sign-in and would
# bury the changes that matter (name, phone, active, staff).
@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("电话", max_length=32, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        # The point lookup shows the officers on duty with name and phone (grids.cell_index),
        # and processes remember a session's user (accounts.middleware): a change to what
        # they show or to who may sign in is a new version; a sign-in (last_login) is not.
        triggers = [
            data_version_trigger(
                "user_data_version", condition=pgtrigger.AnyChange(
                    "full_name", "username", "phone", "is_active", "is_staff", "is_superuser", "password")),
            pgtrigger.Trigger(name="user_deleted_data_version", level=pgtrigger.Statement, when=pgtrigger.After,
                              operation=pgtrigger.Delete | pgtrigger.Truncate, func=BUMP_DATA_VERSION),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def role_names(self) -> frozenset[str]:
        """The names of the user's groups, read once per user object (as Django keeps
        permissions): layers, scope and services ask several times per request."""
        try:
            return self._role_names
        except AttributeError:
            self._role_names = frozenset(self.groups.values_list("name", flat=True))
            return self._role_names


@receiver(m2m_changed, sender=User.groups.through)
def forget_role_names(sender, instance, **kwargs):
    """A user object whose groups were just changed through it reads them again."""
    instance.__dict__.pop("_role_names", None)


@receiver(pre_save, sender=User)
def note_what_ends_sign_ins(sender, instance, update_fields=None, **kwargs):
    instance._ends_sign_ins = None
    if instance.pk is None or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["is_active"] and not instance.is_active:
        instance._ends_sign_ins = "deactivated"
    elif before["password"] != instance.password:
        instance._ends_sign_ins = "password"


@receiver(post_save, sender=User)
def end_sign_ins_when_credentials_change(sender, instance, **kwargs):
    """A password change or a deactivation ends every token and session of the user (the
    session that changed its own password stays: Django's update_session_auth_hash)."""
    reason = getattr(instance, "_ends_sign_ins", None)
    if reason is None:
        return
    from .services import user_sign_ins_end

    # Django itself ends other sessions on a password change (their hash no longer matches).
    if reason == "password":
        DeviceToken.objects.filter(user_id=instance.pk).delete()
    else:
        user_sign_ins_end(user_id=instance.pk)


@receiver(m2m_changed, sender=User.groups.through)
def end_sign_ins_without_roles(sender, instance, action, reverse, pk_set, **kwargs):
    """Taking away a user's last role ends every token and session of theirs."""
    if action not in ("post_remove", "post_clear"):
        return
    from .services import user_sign_ins_end

    users = [instance.pk] if not reverse else list(pk_set or ())
    if reverse and action == "post_clear":
        return  # a group emptied: its former members are not known here
    for user_id in User.objects.filter(pk__in=users, groups__isnull=True).values_list("pk", flat=True):
        user_sign_ins_end(user_id=user_id)


# Who a session's user is and which role they hold come from Django's own tables; processes
# remember a session's user while those tables are unchanged (accounts.middleware). Proxies,
# so that the triggers are declared and migrated here (as django-pgtrigger documents for
# models of other apps).
class SessionVersion(Session):
    class Meta:
        proxy = True
        triggers = [data_version_trigger("session_data_version")]


class GroupVersion(Group):
    class Meta:
        proxy = True
        triggers = [data_version_trigger("group_data_version")]


class UserGroupVersion(User.groups.through):
    class Meta:
        proxy = True
        triggers = [data_version_trigger("user_group_data_version")]


class DeviceToken(AbstractAuthToken):
    """One device's sign-in for the API (`Authorization: Token <key>`), as django-rest-knox
    keeps it: only a digest of the key is stored, and it expires (GRIDMAP_TOKEN_TTL_DAYS).
    Its owner and those who assign officers can list and revoke it."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True)
    name = models.CharField("设备名称", max_length=64, blank=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "设备令牌"
        verbose_name_plural = "设备令牌"
        ordering = ["-created"]
        # Processes remember a token's user (accounts.authentication): a revoked token or a new
        # expiry is a new version; a token's use (last_used) is not.
        triggers = [
            data_version_trigger("device_token_data_version", condition=pgtrigger.AnyChange("expiry", "user")),
            pgtrigger.Trigger(name="device_token_deleted_data_version", level=pgtrigger.Statement,
                              when=pgtrigger.After, operation=pgtrigger.Delete | pgtrigger.Truncate,
                              func=BUMP_DATA_VERSION),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.name or '未命名设备'}"
