import pgtrigger
from django.conf import settings
from django.db import models

# Changes the version of the table the trigger is on. A fresh random token, not a counter, so
# that a rolled-back change cannot leave behind a number that a later, different change
# reaches again.
BUMP_DATA_VERSION = """
    INSERT INTO core_dataversion (name, token, changed_at) VALUES (TG_TABLE_NAME, gen_random_uuid(), now())
    ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN NULL;"""


def data_version_trigger(name: str, **conditions) -> pgtrigger.Trigger:
    """After any write to the model's table, one bump per statement (or per row matching a
    `condition`, for tables written often in ways that do not matter)."""
    if conditions:
        return pgtrigger.Trigger(name=name, level=pgtrigger.Row, when=pgtrigger.After,
                                 operation=pgtrigger.Update, func=BUMP_DATA_VERSION, **conditions)
    return pgtrigger.Trigger(
        name=name, level=pgtrigger.Statement, when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete | pgtrigger.Truncate,
        func=BUMP_DATA_VERSION,
    )


class DataVersion(models.Model):
    """A token per table that changes on every write to it (triggers declared by the models).

    Processes that keep answers in memory (the point lookup's cells, vector tiles) compare
    tokens to know their copy is stale; see gridmap.core.versions."""

    name = models.CharField("表", max_length=63, primary_key=True)
    token = models.UUIDField("版本")
    changed_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return f"{self.name} {self.token}"


class Photo(models.Model):
    """A stored photo as decoding found it (gridmap.geo.photos.check_photo): its format, size
    and dimensions. The concrete model adds its owner and the image field with its folder."""

    image_format = models.CharField("格式", max_length=8)
    size_bytes = models.PositiveIntegerField("大小 (字节)")
    width = models.PositiveIntegerField("宽", null=True)
    height = models.PositiveIntegerField("高", null=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    @property
    def content_type(self) -> str:
        return f"image/{self.image_format.lower()}"


class RateLimitHit(models.Model):
    """One counted action of a user (a report filed, an export requested, a token issued), kept
    for the hour that the limits look back over (gridmap.core.ratelimit)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    action = models.CharField("操作", max_length=16)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "频率限制记录"
        verbose_name_plural = "频率限制记录"
        indexes = [models.Index(fields=["user", "action", "at"], name="core_ratelimit_user_action_at")]

    def __str__(self) -> str:
        return f"{self.action} · {self.at:%Y-%m-%d %H:%M}"
