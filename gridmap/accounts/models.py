import pghistory
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.db import models

from gridmap.core.models import data_version_trigger


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
        # The point lookup shows the officers on duty with name and phone (grids.cell_index):
        # a change to what it shows is a new version; a sign-in (last_login) is not.
        triggers = [
            data_version_trigger(
                "user_data_version", condition=pgtrigger.AnyChange("full_name", "username", "phone", "is_active")),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def has_role(self, role: str) -> bool:
        return self.groups.filter(name=role).exists()

    def has_any_role(self, *roles: str) -> bool:
        return self.is_superuser or self.groups.filter(name__in=roles).exists()
