import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.db import models

from gridmap.grids.triggers import BUMP_LOOKUP_VERSION


class Role(models.TextChoices):
    """Roles are Django groups of these names; a user's grid rights come from grids."""

    OFFICER = "officer", "网格员"
    GRID_HEAD = "grid_head", "一级网格负责人"
    SUPERVISOR = "supervisor", "监管人员"
    FLOOD_COMMAND = "flood_command", "防汛指挥"
    ADMINISTRATOR = "administrator", "系统管理员"


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
        # The point lookup shows the officers on duty with name and phone: a change to what it
        # shows makes the in-memory cells stale (grids.models.LookupVersion). Row-level with a
        # condition, so that a sign-in (last_login) does not count.
        triggers = [
            pgtrigger.Trigger(
                name="user_bumps_lookup_version", level=pgtrigger.Row, when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("full_name", "username", "phone", "is_active"),
                func=BUMP_LOOKUP_VERSION,
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def has_role(self, role: str) -> bool:
        return self.groups.filter(name=role).exists()

    def has_any_role(self, *roles: str) -> bool:
        return self.is_superuser or self.groups.filter(name__in=roles).exists()
