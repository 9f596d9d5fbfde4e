import uuid

import pghistory
from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone

from gridmap.core.constraints import geometry_constraints
from gridmap.core.models import Photo
from gridmap.geo.photos import FORMATS as PHOTO_FORMATS


def photo_path(instance: "PatrolPhoto", filename: str) -> str:
    # The stored name is ours, never the uploader's: no path tricks, no misleading extension.
    extension = PHOTO_FORMATS.get(instance.image_format, "bin")
    return f"patrols/{instance.patrol.patrolled_at:%Y/%m}/{uuid.uuid4().hex}.{extension}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Patrol(models.Model):
    """A grid officer's patrol (巡查) of their cell: where, when, what they saw, and which
    enterprise was visited; a visit recorded far from that enterprise is flagged, not refused
    (a phone's position can be poor indoors)."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="巡查人",
                                on_delete=models.PROTECT, related_name="patrols")
    # Derived in PostGIS from the position; never taken from the client.
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT,
                             related_name="patrols")
    patrolled_at = models.DateTimeField("巡查时间", db_index=True)
    position = models.PointField("位置", srid=4326)
    track = models.LineStringField("轨迹", srid=4326, null=True, blank=True)
    visited = models.CharField("走访单位/地点", max_length=300, blank=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="走访企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="patrols")
    # Geodesic distance from the recorded position to the enterprise, computed by PostGIS.
    enterprise_distance_m = models.FloatField("距企业 (m)", null=True, blank=True)
    far_from_enterprise = models.BooleanField("远离企业位置", default=False)
    notes = models.TextField("巡查情况", max_length=4000, blank=True)
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    # Made on the phone, so that a record sent twice is stored once (gridmap.core.sync).
    client_id = models.UUIDField("客户端编号", null=True, blank=True, editable=False)
    client_digest = models.CharField("提交内容摘要", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "巡查记录"
        verbose_name_plural = "巡查记录"
        ordering = ["-patrolled_at", "-id"]
        indexes = [models.Index(fields=["cell", "-patrolled_at"])]
        constraints = [models.UniqueConstraint(fields=["officer", "client_id"], name="patrol_client_id_once")]
        constraints += geometry_constraints("patrols_patrol", position="巡查位置", track="巡查轨迹")

    def __str__(self) -> str:
        return f"{self.cell.name} · {timezone.localtime(self.patrolled_at):%Y-%m-%d %H:%M} · {self.officer}"


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class PatrolPhoto(Photo):
    patrol = models.ForeignKey(Patrol, verbose_name="巡查记录", on_delete=models.CASCADE,
                               related_name="photos")
    image = models.ImageField("照片", upload_to=photo_path, width_field="width",
                              height_field="height")
    original_name = models.CharField("原文件名", max_length=200, blank=True)

    class Meta(Photo.Meta):
        verbose_name = "巡查照片"
        verbose_name_plural = "巡查照片"
