"""Inspections (domain.md §4): the annual plan and its double-random draw, tasks assigned by
area, inspection records, hazards to closure (销号), enforcement documents with legal
review, public exposure, summons, and reports (举报).

Every record carries its cell and district code (the scope rule and future sharding), and
every change is kept by database triggers (django-pghistory): enforcement records are never
silently edited (执法全过程记录).
"""

import uuid

import pghistory
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils import timezone

from gridmap.core.constraints import geometry_constraints
from gridmap.core.history import tracked
from gridmap.core.models import Photo, data_version_trigger
from gridmap.geo.photos import FORMATS as PHOTO_FORMATS
from gridmap.grids.conf import app_settings as grid_settings

from .conf import app_settings

USER = settings.AUTH_USER_MODEL


@tracked()
class EnforcementCertificate(models.Model):
    """执法证: only holders of one valid on the day may be drawn as inspectors or sign."""

    user = models.ForeignKey(USER, verbose_name="持证人", on_delete=models.PROTECT,
                             related_name="enforcement_certificates")
    number = models.CharField("证号", max_length=32, unique=True)
    issued = models.DateField("发证日期")
    expires = models.DateField("有效期至")

    class Meta:
        verbose_name = "执法证"
        verbose_name_plural = "执法证"
        ordering = ["number"]
        constraints = [models.CheckConstraint(condition=Q(expires__gte=F("issued")),
                                              name="certificate_range_ordered")]

    def __str__(self) -> str:
        return f"{self.number}（{self.user}）"


@tracked()
class AnnualPlan(models.Model):
    """年度监督检查计划. The seed, the rules and a digest of the draw are recorded so that
    re-drawing from them reproduces the plan exactly."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    seed = models.BigIntegerField("随机种子")
    # Planned visits per enterprise by risk colour, copied from settings when drawn.
    visits_by_risk = models.JSONField("各风险等级年检查次数", default=dict)
    inspectors_per_visit = models.PositiveSmallIntegerField("每次检查执法人员数", default=2)
    # Visit budgets as data (the bureau's published plan); no key budget means every key
    # enterprise is covered in full.
    key_visits_target = models.PositiveIntegerField("重点企业检查户次", null=True, blank=True)
    general_visits_target = models.PositiveIntegerField("一般企业抽查户次", default=0)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(USER, verbose_name="抽取人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    draw_digest = models.CharField("抽取结果摘要", max_length=64, blank=True)
    district_code = models.CharField("区划代码", max_length=12, default=grid_settings.DISTRICT_CODE)

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        APPROVED = "approved", "已批准"

    # A plan takes effect only once the bureau's leader approves it: its visits become tasks
    # from then on, as their windows open.
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    approved_by = models.ForeignKey(USER, verbose_name="批准人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "年度监督检查计划"
        verbose_name_plural = "年度监督检查计划"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年度监督检查计划"


class PlanEntry(models.Model):
    """An enterprise in the plan, as it was when drawn."""

    plan = models.ForeignKey(AnnualPlan, verbose_name="计划", on_delete=models.CASCADE,
                             related_name="entries")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="plan_entries")
    supervision_class = models.CharField("检查类别", max_length=8)
    risk_level = models.CharField("风险等级", max_length=8, blank=True)
    visits = models.PositiveSmallIntegerField("计划检查次数")
    rank = models.PositiveIntegerField("抽取顺序")

    class Meta:
        verbose_name = "计划企业"
        verbose_name_plural = "计划企业"
        ordering = ["plan", "rank"]
        constraints = [models.UniqueConstraint(fields=["plan", "enterprise"], name="plan_entry_unique")]


class PlanVisit(models.Model):
    entry = models.ForeignKey(PlanEntry, verbose_name="计划企业", on_delete=models.CASCADE,
                              related_name="plan_visits")
    number = models.PositiveSmallIntegerField("第几次")
    planned_on = models.DateField("计划日期")
    # The months the visit is due in (a red enterprise's four visits fall one a quarter): the
    # task opens on the first day and is due on the last.
    window_start = models.DateField("检查窗口起")
    window_end = models.DateField("检查窗口止", db_index=True)
    inspectors = models.ManyToManyField(USER, verbose_name="执法人员", related_name="plan_visits")

    class Meta:
        verbose_name = "计划检查"
        verbose_name_plural = "计划检查"
        ordering = ["entry", "number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="plan_visit_unique"),
                       models.CheckConstraint(condition=Q(window_start__lte=F("planned_on"),
                                                          planned_on__lte=F("window_end")),
                                              name="plan_visit_in_window")]

    def __str__(self) -> str:
        return f"计划检查（{self.window_start:%Y-%m-%d} 至 {self.window_end:%Y-%m-%d}）"



class TaskKind(models.TextChoices):
    # A grid officer patrols (巡查); only law-enforcement staff inspect (监督检查).
    PATROL = "patrol", "巡查任务"
    SUPERVISION = "supervision", "监督检查任务"


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", "已分配"
    ACCEPTED = "accepted", "已接收"
    IN_PROGRESS = "in_progress", "检查中"
    DONE = "done", "已完成"
    DECLINED = "declined", "已退回"
    CANNOT_INSPECT = "cannot_inspect", "无法检查"


OPEN_TASK_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS)


@tracked()
class AssignmentBatch(models.Model):
    """One assignment action (by area, or of a plan's draw): its tasks can be withdrawn
    together on the day it was made, while none of them has started."""

    created_by = models.ForeignKey(USER, verbose_name="分配人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("分配时间", auto_now_add=True)
    task_count = models.PositiveIntegerField("任务数", default=0)
    undone_by = models.ForeignKey(USER, verbose_name="撤销人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "分配批次"
        verbose_name_plural = "分配批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"分配批次 {self.pk}（{self.task_count} 项）"


@tracked()
class InspectionTask(models.Model):
    """检查任务: one enterprise, one assignee, a due date."""

    class CannotReason(models.TextChoices):
        CLOSED = "closed", "企业已关闭"
        MOVED = "moved", "企业已搬迁"
        REFUSED = "refused", "拒绝检查"
        OTHER = "other", "其他"

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="inspection_tasks")
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT,
                             related_name="inspection_tasks")
    plan = models.ForeignKey(AnnualPlan, verbose_name="年度计划", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="tasks")
    # The period a task belongs to ("2025-Q3"): at most one open task per enterprise in it.
    period = models.CharField("检查周期", max_length=8)
    kind = models.CharField("任务类型", max_length=12, choices=TaskKind.choices, default=TaskKind.PATROL)
    assignee = models.ForeignKey(USER, verbose_name="承办人", on_delete=models.PROTECT,
                                 related_name="inspection_tasks")
    # A plan visit is made by the drawn pair of law-enforcement staff (双随机, at least two):
    # the first is the assignee, the second works the task with the same rights.
    co_assignee = models.ForeignKey(USER, verbose_name="协办人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="co_inspection_tasks")
    plan_visit = models.OneToOneField(PlanVisit, verbose_name="计划检查", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="task")
    assigned_by = models.ForeignKey(USER, verbose_name="分配人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    batch = models.ForeignKey(AssignmentBatch, verbose_name="分配批次", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="tasks")
    due_date = models.DateField("完成期限", db_index=True)
    status = models.CharField("状态", max_length=16, choices=TaskStatus.choices,
                              default=TaskStatus.ASSIGNED, db_index=True)
    cannot_reason = models.CharField("无法检查原因", max_length=10, choices=CannotReason.choices,
                                     blank=True)
    reason = models.CharField("说明", max_length=300, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    created_at = models.DateTimeField("分配时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查任务"
        verbose_name_plural = "检查任务"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["cell", "status"]), models.Index(fields=["assignee", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "period"],
                                    condition=Q(status__in=["assigned", "accepted", "in_progress"]),
                                    name="task_one_open_per_enterprise_period"),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(reason=""),
                                   name="task_declined_has_reason"),
            models.CheckConstraint(condition=~Q(status="cannot_inspect") | ~Q(cannot_reason=""),
                                   name="task_cannot_inspect_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.due_date:%Y-%m-%d} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


@tracked()
class Inspection(models.Model):
    """检查记录: a visit with its checklist, findings, position and inspectors.

    A supervision inspection (监督检查) and the bureau's re-inspection (复查) are law
    enforcement: at least two staff holding an enforcement certificate valid on the day
    (安全生产法 2021 第六十五条; 行政处罚法 第四十二条). A grid officer's visit is a patrol (巡查)
    and an officer's check of a general hazard's rectification a verification (核实)."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", "监督检查"
        REINSPECTION = "reinspection", "整改复查"
        REPORT = "report", "举报核查"
        PATROL = "patrol", "网格巡查"
        VERIFICATION = "verification", "整改核实（网格员）"

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="inspections")
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT,
                             related_name="inspections")
    task = models.ForeignKey(InspectionTask, verbose_name="检查任务", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="inspections")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.ROUTINE)
    inspected_on = models.DateField("检查日期")
    position = models.PointField("检查位置", srid=4326, null=True, blank=True)
    inspectors = models.ManyToManyField(USER, verbose_name="检查人员", related_name="inspections")
    # [{"code": criterion code, "result": "ok" | "hazard" | "na"}], from criteria.checklist_for.
    checklist = models.JSONField("检查表", default=list, blank=True)
    findings = models.TextField("检查情况", max_length=4000, blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    # Made on the phone, so that an inspection or re-inspection sent twice is stored once
    # (gridmap.core.sync).
    client_id = models.UUIDField("客户端编号", null=True, blank=True, editable=False)
    client_digest = models.CharField("提交内容摘要", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-inspected_on", "-id"]
        # (date, cell, id) rather than the date alone: the yearly statistics count a year's
        # inspections per grid (COUNT(id)) from this index alone, an index-only scan, instead of
        # visiting every row of the year in the table (bench/RESULTS.md, province scale).
        indexes = [models.Index(fields=["cell", "inspected_on"]),
                   models.Index(fields=["inspected_on", "cell"], include=["id"], name="inspection_date_cell_idx")]
        constraints = [models.UniqueConstraint(fields=["recorded_by", "client_id"], name="inspection_client_id_once")]
        constraints += geometry_constraints("inspections_inspection", position="检查位置")

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.inspected_on:%Y-%m-%d} · {self.get_kind_display()}"


# The kinds done by law-enforcement staff; only these count as inspections in the statistics.
SUPERVISION_KINDS = (Inspection.Kind.ROUTINE, Inspection.Kind.REINSPECTION)


class HazardStatus(models.TextChoices):
    # What a grid officer's patrol finds is a lead (隐患线索) until the bureau confirms it.
    LEAD = "lead", "隐患线索（待确认）"
    DISMISSED = "dismissed", "线索不成立"
    FOUND = "found", "已发现"
    RECTIFYING = "rectifying", "整改中"
    SUPERVISED = "supervised", "挂牌督办"
    # A general hazard the enterprise reports rectified, with its proof: the cell's officer
    # verifies it (spot check) before it is closed.
    RECTIFIED = "rectified", "企业已整改（待核实）"
    REINSPECTED = "reinspected", "已复查"
    CLOSED = "closed", "已销号"


OPEN_HAZARD_STATUSES = (HazardStatus.FOUND, HazardStatus.RECTIFYING, HazardStatus.SUPERVISED,
                        HazardStatus.RECTIFIED, HazardStatus.REINSPECTED)


class HazardSource(models.TextChoices):
    """Where a hazard was found."""

    INSPECTION = "inspection", "监督检查"
    PATROL = "patrol", "网格巡查"
    REPORT = "report", "举报核查"
    SELF_INSPECTION = "self_inspection", "企业自查"


@tracked()
class SelfInspection(models.Model):
    """企业自查: an enterprise's own check of its check items (its risk points' control measures
    at each control tier, and the major-hazard criteria items of its sector), item by item.
    A `hazard` item becomes a hazard with source self_inspection."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="self_inspections")
    # The enterprise's cell on the day (null while the enterprise lies in no cell).
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="self_inspections")
    checked_at = models.DateTimeField("自查时间")
    checked_on = models.DateField("自查日期")
    # [{"code", "title", "result": "ok" | "hazard", "note", "hazard": hazard id or null}]
    items = models.JSONField("自查项目", default=list)
    recorded_by = models.ForeignKey(USER, verbose_name="记录人", null=True, on_delete=models.SET_NULL,
                                    related_name="self_inspections")
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    client_id = models.UUIDField("客户端编号", null=True, blank=True, editable=False)
    client_digest = models.CharField("提交内容摘要", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "企业自查"
        verbose_name_plural = "企业自查"
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "checked_on"]), models.Index(fields=["cell", "checked_on"])]
        constraints = [models.UniqueConstraint(fields=["recorded_by", "client_id"],
                                               name="self_inspection_client_id_once")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.checked_on:%Y-%m-%d} · 企业自查"


@tracked()
class Hazard(models.Model):
    """隐患, followed found → rectifying → re-inspected → closed (销号). A patrol's finding
    starts as a lead, confirmed by the bureau (→ found) or dismissed with a reason. A major
    hazard is under supervised rectification (挂牌督办) from the day it is determined; an
    overdue general one gets an order to rectify within a time limit (安全生产法 第一百零二条)."""

    class Level(models.TextChoices):
        GENERAL = "general", "一般隐患"
        MAJOR = "major", "重大隐患"

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="hazards")
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT,
                             related_name="hazards")
    inspection = models.ForeignKey(Inspection, verbose_name="发现于检查", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="hazards")
    report = models.ForeignKey("Report", verbose_name="来源举报", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="hazards")
    source = models.CharField("来源", max_length=16, choices=HazardSource.choices, default=HazardSource.INSPECTION,
                              db_index=True)
    self_inspection = models.ForeignKey(SelfInspection, verbose_name="来源自查", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="hazards")
    # The enterprise's report of its rectification (with proof photos, EvidencePhoto.proof).
    rectified_on = models.DateField("企业整改完成日期", null=True, blank=True)
    rectified_by = models.ForeignKey(USER, verbose_name="整改报告人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    level = models.CharField("隐患等级", max_length=8, choices=Level.choices, default=Level.GENERAL)
    # The criterion code (criteria.CRITERIA) of the standard in force on found_on; required for a major hazard.
    criterion_code = models.CharField("判定依据", max_length=16, blank=True)
    description = models.TextField("隐患描述", max_length=2000)
    location = models.PointField("位置", srid=4326, null=True, blank=True)
    measures = models.TextField("整改措施", max_length=2000, blank=True)
    found_on = models.DateField("发现日期", db_index=True)
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=12, choices=HazardStatus.choices,
                              default=HazardStatus.FOUND, db_index=True)
    dismissal_reason = models.CharField("线索不成立的理由", max_length=300, blank=True)
    confirmed_by = models.ForeignKey(USER, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    supervised_on = models.DateField("督办日期", null=True, blank=True)
    supervised_deadline = models.DateField("督办期限", null=True, blank=True)
    reinspection = models.ForeignKey(Inspection, verbose_name="复查记录", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="reinspected_hazards")
    closed_on = models.DateField("销号日期", null=True, blank=True, db_index=True)
    reported_by = models.ForeignKey(USER, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "隐患"
        verbose_name_plural = "隐患"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["cell", "status"])]
        constraints = [
            # Closing (销号) needs a re-inspection on record, whatever path wrote the row.
            models.CheckConstraint(condition=~Q(status="closed")
                                   | Q(reinspection__isnull=False, closed_on__isnull=False),
                                   name="hazard_closed_needs_reinspection"),
            models.CheckConstraint(condition=~Q(level="major") | ~Q(criterion_code=""),
                                   name="hazard_major_cites_criterion"),
            models.CheckConstraint(condition=~Q(status="supervised") | Q(supervised_deadline__isnull=False),
                                   name="hazard_supervised_has_deadline"),
            models.CheckConstraint(condition=~Q(status="supervised") | Q(level="major"),
                                   name="hazard_supervised_only_major"),
            models.CheckConstraint(condition=~Q(status="dismissed") | ~Q(dismissal_reason=""),
                                   name="hazard_dismissed_has_reason"),
        ]
        constraints += geometry_constraints("inspections_hazard", location="隐患位置")
        # The flood command's live map shows the open hazards (gridmap.workspaces.flood.situation).
        triggers = [data_version_trigger("hazard_data_version")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.get_level_display()} · {self.get_status_display()}"

    @property
    def current_deadline(self):
        return self.supervised_deadline or self.deadline

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_HAZARD_STATUSES and self.status != HazardStatus.REINSPECTED \
            and self.current_deadline < timezone.localdate()


@tracked()
class EnforcementDocument(models.Model):
    """执法文书. Major decisions pass legal review (法制审核) before they are issued; only
    holders of an enforcement certificate valid on the date may sign."""

    class Kind(models.TextChoices):
        ONSITE_RECORD = "onsite_record", "现场检查记录"
        ORDER_TO_CORRECT = "order_to_correct", "责令限期整改指令书"
        ONSITE_MEASURE = "onsite_measure", "现场处理措施决定书"
        REINSPECTION_OPINION = "reinspection_opinion", "整改复查意见书"
        COMPULSORY_MEASURE = "compulsory_measure", "查封扣押决定书"
        PENALTY_NOTICE = "penalty_notice", "行政处罚告知书"
        HEARING_NOTICE = "hearing_notice", "听证告知书"
        PENALTY_DECISION = "penalty_decision", "行政处罚决定书"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已送达"

    kind = models.CharField("文书种类", max_length=24, choices=Kind.choices)
    number = models.CharField("文书编号", max_length=64, unique=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="enforcement_documents")
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT,
                             related_name="enforcement_documents")
    inspection = models.ForeignKey(Inspection, verbose_name="检查记录", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="documents")
    hazard = models.ForeignKey(Hazard, verbose_name="隐患", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="documents")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField("文书日期", null=True, blank=True, db_index=True)
    fine_amount = models.DecimalField("罚款金额（元）", max_digits=12, decimal_places=2, default=0)
    production_stop = models.BooleanField("责令停产停业", default=False)
    # Two different measures (安全生产法 2021 第六十五条第一款): ordering equipment out of use
    # (item 3, a 现场处理措施) and sealing or seizure (item 4, a 行政强制措施).
    equipment_out_of_use = models.PositiveIntegerField("责令暂时停止使用设备（台套）", default=0)
    equipment_sealed = models.PositiveIntegerField("查封扣押设施设备器材（台套）", default=0)
    content = models.TextField("文书内容", max_length=4000, blank=True)
    signers = models.ManyToManyField(USER, verbose_name="执法人员", related_name="signed_documents")
    created_by = models.ForeignKey(USER, verbose_name="制作人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    created_at = models.DateTimeField("制作时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法文书"
        verbose_name_plural = "执法文书"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="issued") | Q(issued_on__isnull=False),
                                   name="document_issued_has_date"),
            models.CheckConstraint(condition=Q(fine_amount__gte=0), name="document_fine_not_negative"),
            models.CheckConstraint(condition=Q(equipment_out_of_use=0) | Q(kind="onsite_measure"),
                                   name="document_out_of_use_on_onsite_measure"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_major(self) -> bool:
        if self.kind in app_settings.MAJOR_DECISION_KINDS:
            return True
        return self.kind == self.Kind.PENALTY_DECISION and (
            self.fine_amount >= app_settings.MAJOR_FINE_YUAN or self.production_stop)


@tracked()
class LegalReview(models.Model):
    """法制审核 of a major decision, before it is issued: four checks, each passed or failed with
    a note; approved only when all four pass. The reviewer signs none of the decision's
    documents (the review is independent of the case officers)."""

    CHECKS = (("subject", "执法主体"), ("authority", "执法权限"), ("basis", "内容与依据"), ("procedure", "执法程序"))

    document = models.OneToOneField(EnforcementDocument, verbose_name="文书", on_delete=models.PROTECT,
                                    related_name="legal_review")
    reviewer = models.ForeignKey(USER, verbose_name="审核人", on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField("审核日期", db_index=True)
    approved = models.BooleanField("审核通过")
    opinion = models.TextField("审核意见", max_length=2000)
    # Null: a review recorded before the four checks were kept.
    subject_passed = models.BooleanField("执法主体合法", null=True)
    subject_note = models.CharField("执法主体说明", max_length=300, blank=True)
    authority_passed = models.BooleanField("执法权限合法", null=True)
    authority_note = models.CharField("执法权限说明", max_length=300, blank=True)
    basis_passed = models.BooleanField("内容与依据合法", null=True)
    basis_note = models.CharField("内容与依据说明", max_length=300, blank=True)
    procedure_passed = models.BooleanField("执法程序合法", null=True)
    procedure_note = models.CharField("执法程序说明", max_length=300, blank=True)
    district_code = models.CharField("区划代码", max_length=12, db_index=True)

    class Meta:
        verbose_name = "法制审核"
        verbose_name_plural = "法制审核"
        constraints = [models.CheckConstraint(
            condition=Q(approved=False) | (~Q(subject_passed=False) & ~Q(authority_passed=False)
                                           & ~Q(basis_passed=False) & ~Q(procedure_passed=False)),
            name="legal_review_approved_passes_every_check")]

    def checks(self) -> list[tuple[str, bool | None, str]]:
        """(label, passed, note) of the four checks, in order."""
        return [(label, getattr(self, f"{name}_passed"), getattr(self, f"{name}_note")) for name, label in self.CHECKS]


class EnforcementRecord(models.Model):
    """What the bureau records of a measure against an enterprise (an exposure, a summons),
    beside the enterprise itself."""

    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField("区划代码", max_length=12, db_index=True)

    class Meta:
        abstract = True


@tracked()
class Exposure(EnforcementRecord):
    """公开曝光 of an enterprise."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="exposures")
    exposed_on = models.DateField("曝光日期", db_index=True)
    medium = models.CharField("曝光媒体", max_length=100)

    class Meta:
        verbose_name = "公开曝光"
        verbose_name_plural = "公开曝光"
        # A second record of the same exposure (a form sent twice) would count twice in the
        # statistics.
        constraints = [models.UniqueConstraint(fields=["enterprise", "exposed_on", "medium"],
                                               name="exposure_once_per_day_and_medium")]


@tracked()
class Summons(EnforcementRecord):
    """约谈: people of an enterprise summoned for a talk."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="summonses")
    held_on = models.DateField("约谈日期", db_index=True)
    people = models.PositiveSmallIntegerField("约谈人数", default=1)

    class Meta:
        verbose_name = "约谈"
        verbose_name_plural = "约谈"
        # One talk a day with an enterprise's people (their number is on the record).
        constraints = [models.UniqueConstraint(fields=["enterprise", "held_on"], name="summons_once_per_day")]


@tracked()
class Report(models.Model):
    """举报 from the public or staff, routed by position to the cell's officer and followed
    like a hazard: received → handling → handled (办结)."""

    class Source(models.TextChoices):
        PUBLIC = "public", "群众举报"
        STAFF = "staff", "工作人员报告"

    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        HANDLING = "handling", "核查处理中"
        HANDLED = "handled", "已办结"

    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.PUBLIC)
    reporter_name = models.CharField("举报人", max_length=64, blank=True)
    reporter_phone = models.CharField("联系电话", max_length=32, blank=True)
    description = models.TextField("举报内容", max_length=2000)
    position = models.PointField("位置", srid=4326)
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT,
                             related_name="reports")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="涉及企业", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="reports")
    assignee = models.ForeignKey(USER, verbose_name="承办网格员", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_reports")
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.RECEIVED, db_index=True)
    received_on = models.DateField("受理日期", db_index=True)
    deadline = models.DateField("办理期限")
    handled_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    result = models.TextField("处理结果", max_length=2000, blank=True)
    created_by = models.ForeignKey(USER, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # Made on the phone, so that a report sent twice is stored once (gridmap.core.sync).
    client_id = models.UUIDField("客户端编号", null=True, blank=True, editable=False)
    client_digest = models.CharField("提交内容摘要", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "举报"
        verbose_name_plural = "举报"
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="handled") | (Q(handled_on__isnull=False) & ~Q(result="")),
                name="report_handled_has_result"),
            models.UniqueConstraint(fields=["created_by", "client_id"], name="report_client_id_once"),
        ]
        constraints += geometry_constraints("inspections_report", position="举报位置")

    def __str__(self) -> str:
        return f"举报 #{self.pk} · {self.get_status_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.HANDLED and self.deadline < timezone.localdate()


def evidence_path(instance: "EvidencePhoto", filename: str) -> str:
    extension = PHOTO_FORMATS.get(instance.image_format, "bin")
    return f"inspections/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class EvidencePhoto(Photo):
    """A photo of an inspection, a hazard or a report (exactly one)."""

    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="photos")
    hazard = models.ForeignKey(Hazard, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="photos")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="photos")
    image = models.ImageField("照片", upload_to=evidence_path, width_field="width", height_field="height")
    # A photo of a hazard the enterprise sent as proof of its rectification (not of the finding).
    proof = models.BooleanField("整改证明", default=False)

    class Meta(Photo.Meta):
        verbose_name = "取证照片"
        verbose_name_plural = "取证照片"
        constraints = [models.CheckConstraint(
            condition=(Q(inspection__isnull=False, hazard__isnull=True, report__isnull=True)
                       | Q(inspection__isnull=True, hazard__isnull=False, report__isnull=True)
                       | Q(inspection__isnull=True, hazard__isnull=True, report__isnull=False)),
            name="evidence_photo_has_one_owner")]


@tracked()
class Publication(models.Model):
    """执法公示: what the bureau publishes of a penalty decision or of a random inspection's
    result (双随机一公开). Only the fields meant for the public are kept here, written for
    publication: the enterprise, the facts, the legal basis, the decision and the date, never
    a private person's data (国办发〔2018〕118号)."""

    class Kind(models.TextChoices):
        PENALTY_DECISION = "penalty_decision", "行政处罚决定"
        RANDOM_CHECK = "random_check", "双随机抽查结果"

    kind = models.CharField("公示类别", max_length=20, choices=Kind.choices, db_index=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="publications")
    cell = models.ForeignKey("grids.Grid", verbose_name="二级网格", on_delete=models.PROTECT, related_name="+")
    document = models.OneToOneField(EnforcementDocument, verbose_name="行政处罚决定书", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="publication")
    plan_visit = models.OneToOneField(PlanVisit, verbose_name="计划检查", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="publication")
    decided_on = models.DateField("决定（检查）日期")
    published_on = models.DateField("公示日期", db_index=True)
    findings = models.TextField("违法事实或检查发现", max_length=2000)
    legal_basis = models.CharField("法律依据", max_length=500)
    decision = models.CharField("处理决定", max_length=500)
    recorded_by = models.ForeignKey(USER, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # A decision changed or annulled on review or in court is withdrawn from publication
    # (国办发〔2018〕118号): it stays on record here with the day and the reason, off the public page.
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    withdraw_reason = models.CharField("撤回说明", max_length=300, blank=True)
    district_code = models.CharField("区划代码", max_length=12, db_index=True)

    class Meta:
        verbose_name = "执法公示"
        verbose_name_plural = "执法公示"
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["kind", "-published_on", "-id"], name="publication_kind_listed")]
        constraints = [
            models.CheckConstraint(condition=Q(published_on__gte=F("decided_on")),
                                   name="publication_after_decision"),
            models.CheckConstraint(
                condition=(Q(kind="penalty_decision", document__isnull=False, plan_visit__isnull=True)
                           | Q(kind="random_check", document__isnull=True, plan_visit__isnull=False)),
                name="publication_has_its_source"),
            models.CheckConstraint(condition=Q(withdrawn_on__isnull=True)
                                   | (Q(withdrawn_on__gte=F("published_on")) & ~Q(withdraw_reason="")),
                                   name="publication_withdrawn_after_publishing_with_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.enterprise.name} · {self.published_on:%Y-%m-%d}"


@tracked()
class CreditListing(EnforcementRecord):
    """An enterprise on one of the credit lists of the report: reported to the market-entity
    credit publicity system, or on the joint-punishment blacklist (联合惩戒) from its entry
    until its exit (信用修复)."""

    class Kind(models.TextChoices):
        CREDIT_PUBLICITY = "credit_publicity", "报送市场主体信用信息公示系统"
        BLACKLIST = "blacklist", "联合惩戒黑名单"

    kind = models.CharField("名单", max_length=20, choices=Kind.choices, db_index=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="credit_listings")
    entered_on = models.DateField("列入日期", db_index=True)
    reason = models.CharField("列入事由", max_length=300)
    exited_on = models.DateField("移出日期", null=True, blank=True)
    exit_reason = models.CharField("移出事由", max_length=300, blank=True)

    class Meta:
        verbose_name = "信用名单"
        verbose_name_plural = "信用名单"
        ordering = ["-entered_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "enterprise", "entered_on"], name="credit_listing_once"),
            models.CheckConstraint(condition=Q(exited_on__isnull=True) | Q(exited_on__gte=F("entered_on")),
                                   name="credit_listing_exit_after_entry"),
            models.CheckConstraint(condition=Q(exited_on__isnull=True) | ~Q(exit_reason=""),
                                   name="credit_listing_exit_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.enterprise.name}"
