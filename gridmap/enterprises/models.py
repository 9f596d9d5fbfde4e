from django.contrib.gis.db import models

from gridmap.core.constraints import geometry_constraints
from gridmap.core.history import tracked
from gridmap.core.models import data_version_trigger
from gridmap.grids.conf import app_settings as grid_settings
from gridmap.grids.models import Grid

from .credit_code import validate_credit_code
from .risk import RiskLevel, control_tier_labels, control_tiers


class Enterprise(models.Model):
    """A supervised enterprise (生产经营单位); its cell is assigned in PostGIS (services)."""

    class Scale(models.TextChoices):
        LARGE = "large", "大型"
        MEDIUM = "medium", "中型"
        SMALL = "small", "小型"
        MICRO = "micro", "微型"

    class SupervisionClass(models.TextChoices):
        KEY = "key", "重点检查企业"
        GENERAL = "general", "一般检查企业"

    class Status(models.TextChoices):
        OPERATING = "operating", "在营"
        STOPPED = "stopped", "停产"
        CLOSED = "closed", "关闭"

    name = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True,
                                   validators=[validate_credit_code])
    address = models.CharField("地址", max_length=300, blank=True)
    location = models.PointField("位置", srid=4326)
    site = models.PolygonField("厂区范围", srid=4326, null=True, blank=True)
    industry_code = models.CharField("行业代码（GB/T 4754-2017）", max_length=4, db_index=True)
    industry_name = models.CharField("行业名称", max_length=100)
    # "Hazardous chemicals" is not a GB/T 4754 class, so it is a flag (domain.md §1).
    hazardous_chemicals = models.BooleanField("涉及危险化学品", default=False)
    dust_explosion = models.BooleanField("涉及粉尘爆炸", default=False)
    confined_space = models.BooleanField("涉及有限空间", default=False)
    ammonia = models.BooleanField("涉氨制冷", default=False)
    scale = models.CharField("规模", max_length=8, choices=Scale.choices, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=64, blank=True)
    safety_contact = models.CharField("安全负责人", max_length=64, blank=True)
    safety_phone = models.CharField("安全负责人电话", max_length=32, blank=True)
    supervision_class = models.CharField("检查类别", max_length=8,
                                         choices=SupervisionClass.choices,
                                         default=SupervisionClass.GENERAL)
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.OPERATING)
    # Indexed by Meta.indexes (cell, risk_level): a second index on cell alone would only
    # slow every re-assignment down.
    cell = models.ForeignKey(Grid, verbose_name="二级网格", null=True, blank=True, db_index=False,
                             on_delete=models.SET_NULL, related_name="enterprises")
    # The highest level among the risk points; blank while the enterprise has none.
    risk_level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices, blank=True)
    district_code = models.CharField("区划代码", max_length=12, default=grid_settings.DISTRICT_CODE)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name", "credit_code"]
        # Plain indexes where db_index would add a second, LIKE-prefix one (varchar_pattern_ops)
        # that no query uses; industry_code keeps it (filtered by class prefix).
        indexes = [models.Index(fields=["cell", "risk_level"]),
                   models.Index(fields=["risk_level"], name="enterprise_risk_level_idx"),
                   models.Index(fields=["district_code"], name="enterprise_district_idx")]
        # Vector tiles of enterprises are kept in memory until this table changes.
        triggers = [data_version_trigger("enterprise_data_version")]
        constraints = geometry_constraints("enterprises_enterprise", location="企业位置", site="厂区范围")

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class RiskPoint(models.Model):
    """A risk point (风险点) of an enterprise with its assessment and control measures."""

    class Method(models.TextChoices):
        LEC = "LEC", "LEC"
        LS = "LS", "LS"

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="risk_points")
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("风险点名称", max_length=100)
    place = models.CharField("场所/部位", max_length=100, blank=True)
    activity = models.CharField("作业活动或设施", max_length=200, blank=True)
    hazard_source = models.CharField("危险源", max_length=300)
    accident_types = models.CharField("可能导致的事故类型", max_length=200, blank=True)
    location = models.GeometryField("位置", srid=4326, null=True, blank=True)
    method = models.CharField("评价方法", max_length=4, choices=Method.choices)
    factor_l = models.DecimalField("L", max_digits=6, decimal_places=2)
    factor_e = models.DecimalField("E", max_digits=6, decimal_places=2, null=True, blank=True)
    factor_c = models.DecimalField("C", max_digits=6, decimal_places=2, null=True, blank=True)
    factor_s = models.DecimalField("S", max_digits=6, decimal_places=2, null=True, blank=True)
    score = models.DecimalField("风险值", max_digits=10, decimal_places=3)
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices, db_index=True)
    responsible_unit = models.CharField("责任单位", max_length=100, blank=True)
    responsible_person = models.CharField("责任人", max_length=64, blank=True)
    measures_engineering = models.TextField("工程技术措施", blank=True)
    measures_management = models.TextField("管理措施", blank=True)
    measures_training = models.TextField("培训教育措施", blank=True)
    measures_ppe = models.TextField("个体防护措施", blank=True)
    measures_emergency = models.TextField("应急处置措施", blank=True)
    district_code = models.CharField("区划代码", max_length=12, db_index=True,
                                     default=grid_settings.DISTRICT_CODE)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "风险点"
        verbose_name_plural = "风险点"
        ordering = ["enterprise", "number"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "number"],
                                               name="riskpoint_unique_number")]
        constraints += geometry_constraints("enterprises_riskpoint", location="风险点位置")
        # Enterprise tiles show each enterprise's number of risk points.
        triggers = [data_version_trigger("riskpoint_data_version")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.name}"

    @property
    def control_tiers(self) -> tuple[str, ...]:
        return control_tiers(self.level)

    @property
    def control_tier_display(self) -> str:
        return control_tier_labels(self.level)

    @property
    def score_display(self) -> str:
        return f"{self.score.normalize():f}"

    @property
    def factors_display(self) -> str:
        names = ("L", "E", "C") if self.method == self.Method.LEC else ("L", "S")
        values = {"L": self.factor_l, "E": self.factor_e, "C": self.factor_c, "S": self.factor_s}
        return " × ".join(f"{n}={values[n].normalize():f}" for n in names if values[n] is not None)


class EnterpriseAccount(models.Model):
    """An enterprise user's account (企业用户): the one link from a user to the enterprise
    they act for, and the only thing an enterprise user sees (grids.scope gives such a user
    no grid; enterprises.selectors.own_enterprise_ids adds their enterprise).

    Kept here rather than on accounts.User: accounts lies below enterprises (floors), so the
    link lives in the higher app and points down at both. One user acts for one enterprise;
    an enterprise has one or more accounts (safety contact, principal).

    A real account starts without a password: the bureau or the cell's officer creates it
    and is shown a one-time code once (only its hash is kept), with which the enterprise's
    contact sets a password at first sign-in."""

    class Duty(models.TextChoices):
        SAFETY_CONTACT = "safety_contact", "安全负责人"
        PRINCIPAL = "principal", "主要负责人"

    user = models.OneToOneField("accounts.User", verbose_name="用户", on_delete=models.CASCADE,
                                related_name="enterprise_account")
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="accounts")
    duty = models.CharField("职责", max_length=16, choices=Duty.choices, default=Duty.SAFETY_CONTACT)
    one_time_code = models.CharField("一次性登录码（摘要）", max_length=128, blank=True, editable=False)
    code_expires = models.DateTimeField("登录码有效期至", null=True, blank=True)
    # Wrong codes typed for this account: at CODE_ATTEMPTS the code is void (the officer makes a new one).
    code_failures = models.PositiveSmallIntegerField("登录码输错次数", default=0, editable=False)
    activated_at = models.DateTimeField("首次登录时间", null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name="开通人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("开通时间", auto_now_add=True)

    class Meta:
        verbose_name = "企业账户"
        verbose_name_plural = "企业账户"
        ordering = ["enterprise", "duty", "id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "duty"], name="enterprise_account_one_per_duty")]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.get_duty_display()}"


# What an enterprise may propose to change in its register: the people and the measures of a
# risk point (its assessment stays the bureau's).
CHANGEABLE_FIELDS = ("name", "place", "responsible_unit", "responsible_person", "measures_engineering",
                     "measures_management", "measures_training", "measures_ppe", "measures_emergency")


@tracked()
class RegisterChange(models.Model):
    """An enterprise's proposed edit of its register (一企一册变更): waits for the bureau, which
    approves it (applied to the risk point) or returns it with a reason. Kept with what the
    fields held before, so the difference stays readable after it is applied."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已批准"
        RETURNED = "returned", "已退回"

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="register_changes")
    risk_point = models.ForeignKey(RiskPoint, verbose_name="风险点", on_delete=models.CASCADE,
                                   related_name="changes")
    before = models.JSONField("变更前", default=dict)
    after = models.JSONField("变更后", default=dict)
    reason = models.CharField("变更说明", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    proposed_by = models.ForeignKey("accounts.User", verbose_name="提出人", null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    reviewed_by = models.ForeignKey("accounts.User", verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "一企一册变更"
        verbose_name_plural = "一企一册变更"
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · 风险点 {self.risk_point.number} · {self.get_status_display()}"

    @property
    def differences(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) of each changed field."""
        return [(RiskPoint._meta.get_field(name).verbose_name, self.before.get(name, ""), value)
                for name, value in self.after.items()]
