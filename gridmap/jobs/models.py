from django.conf import settings
from django.db import models


class Export(models.Model):
    """一次导出: asked for by a user, built by a worker into a file of the default storage,
    downloadable by that user only until it expires."""

    class Kind(models.TextChoices):
        ENTERPRISES = "enterprises", "企业"
        INSPECTIONS = "inspections", "检查记录"
        HAZARDS = "hazards", "隐患"
        REGISTERS = "registers", "一企一册（批量）"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"
        GEOJSON = "geojson", "GeoJSON"
        ZIP = "zip", "ZIP（PDF）"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE,
                                  related_name="exports")
    kind = models.CharField("内容", max_length=16, choices=Kind.choices)
    format = models.CharField("格式", max_length=8, choices=Format.choices)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField("进度", default=0.0)
    rows = models.PositiveIntegerField("已写行数", default=0)
    total = models.PositiveIntegerField("总行数", null=True, blank=True)
    file = models.FileField("文件", max_length=255, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出"
        verbose_name_plural = "导出"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requester", "-created_at"], name="jobs_export_requester_idx"),
                   models.Index(fields=["status", "expires_at"], name="jobs_export_expiry_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=1),
                                              name="jobs_export_progress_0_1")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_format_display()} · {self.get_status_display()}"
