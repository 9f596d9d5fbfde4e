"""Storm events (应急指挥, domain.md §8): the event and its response level, consultations,
orders, roll calls of the duty posts, dispatches of stock and teams, and situation reports.

Models of the flood app (imported by gridmap.flood.models); every write goes through
gridmap.flood.events.services and is in the audit history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils import timezone

from gridmap.core.constraints import geometry_constraints
from gridmap.core.history import tracked
from gridmap.core.models import Photo, data_version_trigger
from gridmap.geo.photos import FORMATS as PHOTO_FORMATS
from gridmap.grids.conf import app_settings as grid_settings

USER = settings.AUTH_USER_MODEL
__all__ = ["Consultation", "Dispatch", "DutyPost", "Event", "LevelChange", "Order", "ResponseLevel",
           "RollCall", "RollCallAnswer", "RollCallRound", "SituationPhoto", "SituationReport",
           "TeamDeployment"]


def _district_code():
    return models.CharField("区划代码", max_length=12, db_index=True,
                            default=grid_settings.DISTRICT_CODE)


class ResponseLevel(models.IntegerChoices):
    """The flood emergency plan's response levels: Ⅳ is the lowest, Ⅰ the highest, so raising
    the level lowers the number."""

    IV = 4, "Ⅳ级"
    III = 3, "Ⅲ级"
    II = 2, "Ⅱ级"
    I = 1, "Ⅰ级"  # noqa: E741


@tracked()
class Event(models.Model):
    """A storm or flood the command runs (一次应急事件): open until closed with a summary."""

    class Kind(models.TextChoices):
        TYPHOON = "typhoon", "台风"
        RAINSTORM = "rainstorm", "暴雨"
        FLOOD = "flood", "洪水"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    level = models.PositiveSmallIntegerField("响应级别", choices=ResponseLevel.choices, null=True,
                                             blank=True)
    started_at = models.DateTimeField("开始时间", db_index=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    # The area the event covers; without one the event takes reports from the whole district.
    area = models.MultiPolygonField("范围", srid=4326, null=True, blank=True)
    summary = models.TextField("总结", max_length=5000, blank=True)
    created_by = models.ForeignKey(USER, verbose_name="创建人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    district_code = _district_code()

    class Meta:
        verbose_name = "应急事件"
        verbose_name_plural = "应急事件"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                                   name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | ~Q(summary=""),
                                   name="event_closed_has_summary"),
            models.CheckConstraint(condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4),
                                   name="event_level_range"),
        ]
        constraints += geometry_constraints("flood_event", area="事件范围")
        # The live map shows the open events' reports and dispatches: closing one changes it.
        triggers = [data_version_trigger("event_data_version")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def level_name(self) -> str:
        return self.get_level_display() if self.level else "未启动响应"


@tracked()
class LevelChange(models.Model):
    """One change of an event's response level: when, by whom, from what to what, and why."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.PositiveSmallIntegerField("原级别", choices=ResponseLevel.choices, null=True, blank=True)
    to_level = models.PositiveSmallIntegerField("新级别", choices=ResponseLevel.choices)
    changed_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(USER, verbose_name="决定人", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("依据", max_length=500, blank=True)

    class Meta:
        verbose_name = "响应级别调整"
        verbose_name_plural = "响应级别调整"
        ordering = ["changed_at", "id"]

    @property
    def raised(self) -> bool:
        return self.from_level is None or self.to_level < self.from_level

    def __str__(self) -> str:
        return f"响应级别调整为{self.get_to_level_display()}"


@tracked()
class Consultation(models.Model):
    """会商: who took part and what was decided."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.CASCADE, related_name="consultations")
    held_at = models.DateTimeField("会商时间", db_index=True)
    topic = models.CharField("议题", max_length=200)
    attendees = models.TextField("参会人员", max_length=2000)
    decisions = models.TextField("会商决定", max_length=5000)
    recorded_by = models.ForeignKey(USER, verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "会商"
        verbose_name_plural = "会商"
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"会商：{self.topic}"


@tracked()
class Order(models.Model):
    """指令: an instruction of the command to named recipients."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.CASCADE, related_name="orders")
    issued_at = models.DateTimeField("下达时间", db_index=True)
    recipients = models.CharField("接收单位", max_length=300)
    content = models.TextField("指令内容", max_length=2000)
    issued_by = models.ForeignKey(USER, verbose_name="下达人", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "指令"
        verbose_name_plural = "指令"
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"指令（{self.recipients}）"


@tracked()
class DutyPost(models.Model):
    """A duty post a roll call calls (应急值守岗): a level-I grid (town or park) or one of the
    district's departments. Grid posts follow the level-I grids; departments are data."""

    class Kind(models.TextChoices):
        GRID = "grid", "一级网格"
        DEPARTMENT = "department", "区级部门"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    grid = models.OneToOneField("grids.Grid", verbose_name="一级网格", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="duty_post")
    contact = models.CharField("值班联系人", max_length=64, blank=True)
    phone = models.CharField("值班电话", max_length=32, blank=True)
    active = models.BooleanField("参加点名", default=True)
    district_code = _district_code()

    class Meta:
        verbose_name = "值守点位"
        verbose_name_plural = "值守点位"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "kind", "name"], name="dutypost_unique_name"),
            models.CheckConstraint(condition=(Q(kind="grid", grid__isnull=False)
                                              | Q(kind="department", grid__isnull=True)),
                                   name="dutypost_grid_matches_kind"),
        ]

    def __str__(self) -> str:
        return self.name


@tracked()
class RollCall(models.Model):
    """点名: every active duty post is called; `rounds` counts the calls (the first and each
    call of the unanswered again)."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.CASCADE, related_name="roll_calls")
    started_at = models.DateTimeField("开始时间", default=timezone.now, db_index=True)
    started_by = models.ForeignKey(USER, verbose_name="发起人", on_delete=models.PROTECT, related_name="+")
    rounds = models.PositiveSmallIntegerField("轮次", default=1)

    class Meta:
        verbose_name = "点名"
        verbose_name_plural = "点名"
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"点名（{timezone.localtime(self.started_at):%Y-%m-%d %H:%M}）"


@tracked()
class RollCallRound(models.Model):
    """One call of a roll call: the first calls every post, the next ones the unanswered."""

    roll_call = models.ForeignKey(RollCall, verbose_name="点名", on_delete=models.CASCADE, related_name="calls")
    number = models.PositiveSmallIntegerField("轮次")
    called_at = models.DateTimeField("时间", default=timezone.now)
    called_by = models.ForeignKey(USER, verbose_name="点名人", on_delete=models.PROTECT, related_name="+")
    posts_called = models.PositiveIntegerField("点名岗位数")

    class Meta:
        verbose_name = "点名轮次"
        verbose_name_plural = "点名轮次"
        ordering = ["roll_call", "number"]
        constraints = [models.UniqueConstraint(fields=["roll_call", "number"], name="rollcall_round_once")]

    def __str__(self) -> str:
        return f"第 {self.number} 轮点名"


@tracked()
class RollCallAnswer(models.Model):
    """A post's place in a roll call: unanswered until someone answers (answered_at)."""

    roll_call = models.ForeignKey(RollCall, verbose_name="点名", on_delete=models.CASCADE, related_name="answers")
    post = models.ForeignKey(DutyPost, verbose_name="值守点位", on_delete=models.PROTECT, related_name="answers")
    answered_at = models.DateTimeField("应答时间", null=True, blank=True)
    answerer = models.CharField("应答人", max_length=64, blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    last_called_round = models.PositiveSmallIntegerField("最后点名轮次", default=1)

    class Meta:
        verbose_name = "点名应答"
        verbose_name_plural = "点名应答"
        ordering = ["post__kind", "post__name"]
        constraints = [
            models.UniqueConstraint(fields=["roll_call", "post"], name="rollcall_post_once"),
            models.CheckConstraint(condition=Q(answered_at__isnull=True) | ~Q(answerer=""),
                                   name="rollcall_answer_names_answerer"),
        ]

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def __str__(self) -> str:
        return f"{self.post.name} 点名应答"


@tracked()
class Dispatch(models.Model):
    """调度: stock and teams sent from a depot to a place for an event. The stock leaves through
    the ledger (flood.StockMovement rows pointing here); the teams are TeamDeployments."""

    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.PROTECT, related_name="dispatches")
    depot = models.ForeignKey("flood.SupplyDepot", verbose_name="出发仓库", on_delete=models.PROTECT,
                              related_name="dispatches")
    destination = models.PointField("目的地", srid=4326)
    # Depot to destination along the spheroid (PostGIS geography), in metres.
    distance_m = models.FloatField("距离 (m)")
    note = models.CharField("说明", max_length=300, blank=True)
    dispatched_at = models.DateTimeField("调度时间", default=timezone.now, db_index=True)
    dispatched_by = models.ForeignKey(USER, verbose_name="调度人", on_delete=models.PROTECT, related_name="+")
    district_code = _district_code()
    client_id = models.UUIDField("客户端编号", null=True, blank=True, editable=False)
    client_digest = models.CharField("提交内容摘要", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "调度"
        verbose_name_plural = "调度"
        ordering = ["dispatched_at", "id"]
        constraints = [models.UniqueConstraint(fields=["dispatched_by", "client_id"], name="dispatch_client_id_once")]
        constraints += geometry_constraints("flood_dispatch", destination="调度目的地")
        # Parts of the command map's live picture (gridmap.workspaces.flood.situation).
        triggers = [data_version_trigger("dispatch_data_version")]

    def __str__(self) -> str:
        return f"从{self.depot.name}调度"


@tracked()
class TeamDeployment(models.Model):
    """A rescue team sent by a dispatch: deployed until recalled; a team is out once at a time."""

    dispatch = models.ForeignKey(Dispatch, verbose_name="调度", on_delete=models.PROTECT, related_name="deployments")
    team = models.ForeignKey("flood.RescueTeam", verbose_name="队伍", on_delete=models.PROTECT,
                             related_name="deployments")
    destination = models.PointField("目的地", srid=4326)
    distance_m = models.FloatField("距离 (m)")
    deployed_at = models.DateTimeField("出动时间", default=timezone.now)
    recalled_at = models.DateTimeField("撤回时间", null=True, blank=True)
    recalled_by = models.ForeignKey(USER, verbose_name="撤回人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "队伍出动"
        verbose_name_plural = "队伍出动"
        ordering = ["deployed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team"], condition=Q(recalled_at__isnull=True),
                                    name="team_deployed_once"),
            models.CheckConstraint(condition=Q(recalled_at__isnull=True) | Q(recalled_at__gte=F("deployed_at")),
                                   name="team_recalled_after_deployed"),
        ]
        constraints += geometry_constraints("flood_teamdeployment", destination="队伍目的地")
        triggers = [data_version_trigger("deployment_data_version")]

    def __str__(self) -> str:
        return f"{self.team.name} 出动"


@tracked()
class SituationReport(models.Model):
    """险情报告 from a grid officer or grid head, where it was seen; attached to the open event
    whose area holds the point."""

    class Kind(models.TextChoices):
        WATERLOGGING = "waterlogging", "积水内涝"
        SEEPAGE = "seepage", "渗漏/管涌"
        BREACH = "breach", "决口/溃堤"
        COLLAPSE = "collapse", "房屋倒塌"
        TRAPPED = "trapped", "人员被困"
        OTHER = "other", "其他"

    class Severity(models.TextChoices):
        GENERAL = "general", "一般"
        SERIOUS = "serious", "较重"
        CRITICAL = "critical", "严重"

    event = models.ForeignKey(Event, verbose_name="事件", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="reports")
    kind = models.CharField("险情类型", max_length=16, choices=Kind.choices)
    severity = models.CharField("严重程度", max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    description = models.TextField("情况说明", max_length=2000)
    position = models.PointField("位置", srid=4326)
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("报告时间", default=timezone.now, db_index=True)
    reporter = models.ForeignKey(USER, verbose_name="报告人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("接收时间", auto_now_add=True)
    district_code = _district_code()
    client_id = models.UUIDField("客户端编号", null=True, blank=True, editable=False)
    client_digest = models.CharField("提交内容摘要", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "险情报告"
        verbose_name_plural = "险情报告"
        ordering = ["-reported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["reporter", "client_id"], name="situation_client_id_once")]
        constraints += geometry_constraints("flood_situationreport", position="险情位置")
        triggers = [data_version_trigger("situation_report_data_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_severity_display()}）"


def situation_photo_path(instance: SituationPhoto, filename: str) -> str:
    extension = PHOTO_FORMATS.get(instance.image_format, "bin")
    return f"flood/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class SituationPhoto(Photo):
    report = models.ForeignKey(SituationReport, verbose_name="险情报告", on_delete=models.CASCADE,
                               related_name="photos")
    image = models.ImageField("照片", upload_to=situation_photo_path, width_field="width", height_field="height")

    class Meta(Photo.Meta):
        verbose_name = "险情照片"
        verbose_name_plural = "险情照片"
