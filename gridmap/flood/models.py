"""Flood command (防汛, domain.md §5): responsibility, works, supplies, people on duty.

Every record carries district_code (the sharding key of the architecture). Geometries are
WGS84 (SRID 4326) with GiST indexes (GeoDjango creates one per geometry field); depots also
have a GiST index on their geography, for nearest-neighbour search in metres.
"""

import datetime as dt
import re

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone

from gridmap.core.constraints import geometry_constraints
from gridmap.core.history import tracked
from gridmap.core.models import data_version_trigger
from gridmap.enterprises.models import Enterprise
from gridmap.grids.conf import app_settings as grid_settings


def _district_code():
    return models.CharField("区划代码", max_length=12, db_index=True,
                            default=grid_settings.DISTRICT_CODE)


class River(models.Model):
    name = models.CharField("名称", max_length=64)
    channel = models.CharField("河段", max_length=200, blank=True)
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    geom = models.MultiLineStringField("河道线", srid=4326)
    length_m = models.FloatField("长度 (m)")

    class Meta:
        verbose_name = "河流"
        verbose_name_plural = "河流"
        ordering = ["name", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "name", "channel"], name="river_unique")
        ]
        constraints += geometry_constraints("flood_river", geom="河道线")

    def __str__(self) -> str:
        return f"{self.name}{f'（{self.channel}）' if self.channel else ''}"


@tracked()
class FloodZone(models.Model):
    """A flood-responsibility zone (防汛责任区): the head of each level is responsible
    (行政首长负责制), so every zone names a person, their post and a phone number."""

    class Kind(models.TextChoices):
        SUB_COMMAND = "sub_command", "防汛分指挥部"
        RIVER_SYSTEM = "river_system", "河系"
        DIVERSION_GATE = "diversion_gate", "分洪口门"
        DETENTION_BASIN = "detention_basin", "蓄滞洪区"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, db_index=True)
    responsible_person = models.CharField("责任人", max_length=64)
    responsible_role = models.CharField("职务", max_length=100)
    phone = models.CharField("电话", max_length=32)
    river = models.ForeignKey(River, verbose_name="河流", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="zones")
    # Public sources have no outlines for detention basins or gates: generated ones say so.
    generated = models.BooleanField("示意范围（生成）", default=False)
    note = models.CharField("说明", max_length=300, blank=True)
    geom = models.MultiPolygonField("范围", srid=4326)
    area_m2 = models.FloatField("面积 (m²)", default=0)
    district_code = _district_code()
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "防汛责任区"
        verbose_name_plural = "防汛责任区"
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["district_code", "kind", "name"],
                                               name="floodzone_unique_name")]
        constraints += geometry_constraints("flood_floodzone", geom="防汛责任区范围")
        # The live map colours the zones by the worst state inside them.
        triggers = [data_version_trigger("floodzone_data_version")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


@tracked()
class DikeSection(models.Model):
    """A dike section (堤段): chainages (桩号) in metres along the river, a watching village."""

    name = models.CharField("名称", max_length=100)
    river = models.ForeignKey(River, verbose_name="河流", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="dikes")
    bank = models.CharField("岸别", max_length=8, blank=True)
    chainage_start_m = models.FloatField("起点桩号 (m)")
    chainage_end_m = models.FloatField("终点桩号 (m)")
    length_m = models.FloatField("长度 (m)")
    watching_village = models.CharField("守护村", max_length=100)
    responsible_person = models.CharField("责任人", max_length=64, blank=True)
    phone = models.CharField("电话", max_length=32, blank=True)
    geom = models.MultiLineStringField("堤线", srid=4326)
    district_code = _district_code()

    class Meta:
        verbose_name = "堤段"
        verbose_name_plural = "堤段"
        ordering = ["river__name", "chainage_start_m"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "name"], name="dike_unique_name"),
            models.CheckConstraint(condition=Q(chainage_end_m__gt=F("chainage_start_m")),
                                   name="dike_chainage_ordered"),
        ]
        constraints += geometry_constraints("flood_dikesection", geom="堤线")

    @staticmethod
    def chainage_label(metres: float) -> str:
        """桩号 notation: K12+345 is 12,345 m from the section's origin."""
        whole = int(round(metres))
        return f"K{whole // 1000}+{whole % 1000:03d}"

    @property
    def chainage_display(self) -> str:
        return f"{self.chainage_label(self.chainage_start_m)}～{self.chainage_label(self.chainage_end_m)}"

    def __str__(self) -> str:
        return self.name


class WorkStatus(models.TextChoices):
    OPERATIONAL = "operational", "正常"
    MAINTENANCE = "maintenance", "检修"
    OUT_OF_SERVICE = "out_of_service", "停用"


class FloodWork(models.Model):
    """A flood-control work on a river (水利工程: a pumping station, a sluice): a named point
    with its operating status."""

    name = models.CharField("名称", max_length=100)
    location = models.PointField("位置", srid=4326)
    status = models.CharField("状态", max_length=16, choices=WorkStatus.choices,
                              default=WorkStatus.OPERATIONAL)
    generated = models.BooleanField("示意数据（生成）", default=False)
    district_code = _district_code()
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@tracked()
class PumpingStation(FloodWork):
    river = models.ForeignKey(River, verbose_name="排入河道", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="pumping_stations")
    design_flow_m3s = models.FloatField("设计流量 (m³/s)")
    installed_power_kw = models.FloatField("装机功率 (kW)")
    pump_count = models.PositiveSmallIntegerField("水泵台数")
    design_head_m = models.FloatField("设计扬程 (m)")

    class Meta(FloodWork.Meta):
        verbose_name = "泵站"
        verbose_name_plural = "泵站"
        constraints = [
            models.UniqueConstraint(fields=["district_code", "name"], name="pump_unique_name"),
            models.CheckConstraint(condition=Q(design_flow_m3s__gt=0, installed_power_kw__gt=0,
                                               pump_count__gt=0, design_head_m__gt=0),
                                   name="pump_positive_capacity"),
        ]
        constraints += geometry_constraints("flood_pumpingstation", location="泵站位置")


@tracked()
class Sluice(FloodWork):
    """A sluice or culvert (水闸/涵洞) with its type and capacity."""

    class Kind(models.TextChoices):
        FLOOD_DIVERSION = "flood_diversion", "分洪闸"
        REGULATING = "regulating", "节制闸"
        DRAINAGE = "drainage", "排水闸"
        INTAKE = "intake", "进水闸"
        TIDE = "tide", "挡潮闸"
        CULVERT = "culvert", "涵洞"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    river = models.ForeignKey(River, verbose_name="所在河道", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="sluices")
    gate_count = models.PositiveSmallIntegerField("闸孔数")
    net_width_m = models.FloatField("总净宽 (m)")
    design_discharge_m3s = models.FloatField("设计流量 (m³/s)")

    class Meta(FloodWork.Meta):
        verbose_name = "水闸/涵洞"
        verbose_name_plural = "水闸/涵洞"
        constraints = [models.UniqueConstraint(fields=["district_code", "name"],
                                               name="sluice_unique_name")]
        constraints += geometry_constraints("flood_sluice", location="水闸位置")


@tracked()
class SupplyDepot(models.Model):
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    manager = models.CharField("负责人", max_length=64)
    phone = models.CharField("电话", max_length=32)
    location = models.PointField("位置", srid=4326)
    district_code = _district_code()
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "防汛物资仓库"
        verbose_name_plural = "防汛物资仓库"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district_code", "name"],
                                               name="depot_unique_name")]
        constraints += geometry_constraints("flood_supplydepot", location="物资仓库位置")

    def __str__(self) -> str:
        return self.name


# GB/T 38565-2020: four layers in seven digits, the first (1 living, 2 equipment, 3 materials
# and machinery) one digit, the others two digits each, 01–99.
SUPPLY_CODE = re.compile(r"^[123](0[1-9]|[1-9]\d){3}$")


def validate_supply_code(value: str) -> None:
    if not SUPPLY_CODE.match(value or ""):
        raise ValidationError("物资编码应为 GB/T 38565 的 7 位代码（首位 1–3，其后三层各 01–99）")


@tracked()
class StockItem(models.Model):
    """What one depot holds of one kind of supply. Quantity changes only through the ledger
    services (stock_receive / stock_issue); the database refuses a negative quantity."""

    depot = models.ForeignKey(SupplyDepot, verbose_name="仓库", on_delete=models.CASCADE,
                              related_name="items")
    code = models.CharField("物资编码（GB/T 38565）", max_length=7,
                            validators=[validate_supply_code])
    name = models.CharField("物资名称", max_length=64)
    unit = models.CharField("计量单位", max_length=8)
    quantity = models.PositiveIntegerField("库存数量", default=0)
    minimum = models.PositiveIntegerField("最低储备", default=0)
    district_code = _district_code()
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "库存物资"
        verbose_name_plural = "库存物资"
        ordering = ["depot__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["depot", "code"], name="stock_unique_item"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_not_negative"),
        ]

    @property
    def below_minimum(self) -> bool:
        return self.quantity < self.minimum

    def __str__(self) -> str:
        return f"{self.depot.name} · {self.name}"


class StockMovement(models.Model):
    """The stock ledger: one row per receipt or issue, with the balance after it. Rows are
    only ever added (the ledger is the history of the stock)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "入库"
        ISSUE = "issue", "出库"

    item = models.ForeignKey(StockItem, verbose_name="物资", on_delete=models.PROTECT,
                             related_name="movements")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    quantity = models.PositiveIntegerField("数量")
    balance_after = models.PositiveIntegerField("结存")
    note = models.CharField("事由", max_length=200, blank=True)
    # An issue sent out for an event (调度) names it: the event's stock leaves here.
    event = models.ForeignKey("flood.Event", verbose_name="应急事件", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="movements")
    dispatch = models.ForeignKey("flood.Dispatch", verbose_name="调度", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="movements")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    district_code = _district_code()

    class Meta:
        verbose_name = "出入库记录"
        verbose_name_plural = "出入库记录"
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0),
                                              name="movement_positive")]


@tracked()
class RescueTeam(models.Model):
    name = models.CharField("名称", max_length=100)
    members = models.PositiveIntegerField("人数")
    equipment = models.CharField("主要装备", max_length=300, blank=True)
    contact = models.CharField("联系人", max_length=64)
    phone = models.CharField("电话", max_length=32)
    base = models.PointField("驻地", srid=4326)
    district_code = _district_code()
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "抢险救援队伍"
        verbose_name_plural = "抢险救援队伍"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district_code", "name"],
                                               name="team_unique_name")]
        constraints += geometry_constraints("flood_rescueteam", base="救援队伍驻地")

    def __str__(self) -> str:
        return self.name


@tracked()
class DutyShift(models.Model):
    """24-hour flood-season duty (24小时值班) with a leader on shift (带班领导)."""

    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    leader = models.CharField("带班领导", max_length=64)
    leader_phone = models.CharField("带班领导电话", max_length=32)
    officers = models.CharField("值班人员", max_length=200)
    phone = models.CharField("值班电话", max_length=32)
    district_code = _district_code()

    class Meta:
        verbose_name = "防汛值班"
        verbose_name_plural = "防汛值班"
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "starts_at"], name="duty_unique_start"),
            # A shift is one day: 24 hours from its start.
            models.CheckConstraint(
                condition=Q(ends_at=F("starts_at") + dt.timedelta(hours=24)),
                name="duty_24_hours"),
        ]


@tracked()
class PreFloodTask(models.Model):
    """A pre-flood inspection task (汛前检查任务) for an enterprise a zone exposes.

    Minimal on purpose: the inspections app (issue 5) does not exist yet. When it lands these
    records are migrated into its inspection tasks and this model is removed.
    """

    class Status(models.TextChoices):
        OPEN = "open", "待检查"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="preflood_tasks")
    zone = models.ForeignKey(FloodZone, verbose_name="防汛责任区", on_delete=models.CASCADE,
                             related_name="tasks")
    due_date = models.DateField("完成期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人",
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    district_code = _district_code()

    class Meta:
        verbose_name = "汛前检查任务"
        verbose_name_plural = "汛前检查任务"
        ordering = ["due_date", "enterprise__name"]
        constraints = [
            # One open task per enterprise and zone: repeating the action adds nothing.
            models.UniqueConstraint(fields=["enterprise", "zone"], condition=Q(status="open"),
                                    name="preflood_one_open_task"),
        ]


# --- gauges in a storm (issue 17): stations, readings, places at risk -------------------------

class Station(models.Model):
    """A rain gauge (雨量站) or a river water-level station (水位站) with its thresholds as data.

    Water level: warning_level is 警戒水位 and guarantee_level 保证水位 (m). Rain: they are the
    24 h thresholds (GB/T 28592-2012: 暴雨 ≥ 50 mm, 大暴雨 ≥ 100 mm), and hourly_heavy_mm the
    1 h 暴雨 grade (≥ 16 mm)."""

    class Kind(models.TextChoices):
        RAIN = "rain", "雨量站"
        WATER_LEVEL = "water_level", "水位站"

    code = models.CharField("测站编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, db_index=True)
    river = models.ForeignKey(River, verbose_name="所在河道", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="stations")
    location = models.PointField("位置", srid=4326)
    warning_level = models.FloatField("警戒值（警戒水位 m / 24 小时雨量 mm）")
    guarantee_level = models.FloatField("危险值（保证水位 m / 24 小时雨量 mm）")
    hourly_heavy_mm = models.FloatField("1 小时暴雨量级 (mm)", null=True, blank=True)
    generated = models.BooleanField("示意位置（生成）", default=False)
    district_code = _district_code()

    class Meta:
        verbose_name = "水雨情测站"
        verbose_name_plural = "水雨情测站"
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(guarantee_level__gt=F("warning_level")),
                                   name="station_levels_ordered"),
        ]
        constraints += geometry_constraints("flood_station", location="测站位置")
        triggers = [data_version_trigger("station_data_version")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Reading(models.Model):
    """One reading: a water level in metres, or the millimetres of rain since the station's
    previous reading. Stored once per station and time; a late one is kept as history."""

    station = models.ForeignKey(Station, verbose_name="测站", on_delete=models.CASCADE,
                                related_name="readings")
    time = models.DateTimeField("观测时间")
    value = models.FloatField("数值")
    received_at = models.DateTimeField("接收时间", default=timezone.now)

    class Meta:
        verbose_name = "水雨情数据"
        verbose_name_plural = "水雨情数据"
        ordering = ["station", "-time"]
        constraints = [models.UniqueConstraint(fields=["station", "time"], name="reading_once_per_time")]
        # The value rides in the index, so a station's latest reading and its 24 h rain sum
        # are read from the index alone (flood_stationstate).
        indexes = [models.Index(fields=["station", "-time"], include=["value"], name="reading_latest_value")]
        triggers = [data_version_trigger("reading_data_version")]


class StationState(models.Model):
    """Each station's state from its latest reading: the view flood_stationstate (migration
    0008_station_state_view), one LATERAL probe of the readings' index for the latest reading
    and one index range for the 24 h rain sum up to it, each once per station. Read-only."""

    station = models.OneToOneField(Station, verbose_name="测站", primary_key=True, on_delete=models.DO_NOTHING,
                                   related_name="live", db_column="station_id")
    latest_time = models.DateTimeField("最新观测时间", null=True)
    latest_value = models.FloatField("最新读数", null=True)
    rain_24h_mm = models.FloatField("24 小时雨量 (mm)", null=True)
    # What the thresholds are compared with: the 24 h rain sum or the latest water level.
    measure = models.FloatField("比较值", null=True)
    state = models.CharField("状态", max_length=8)

    class Meta:
        managed = False
        db_table = "flood_stationstate"
        verbose_name = "测站状态"
        verbose_name_plural = "测站状态"


class PlaceAtRisk(models.Model):
    """A place flood command watches in a storm, with the person answering for it."""

    name = models.CharField("名称", max_length=100)
    location = models.PointField("位置", srid=4326)
    responsible_person = models.CharField("责任人", max_length=64)
    phone = models.CharField("电话", max_length=32)
    generated = models.BooleanField("示意数据（生成）", default=False)
    district_code = _district_code()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@tracked()
class WaterloggingPoint(PlaceAtRisk):
    """易涝点: a low spot where water gathers in heavy rain (an underpass, a low road)."""

    description = models.CharField("情况说明", max_length=200, blank=True)

    class Meta(PlaceAtRisk.Meta):
        verbose_name = "易涝点"
        verbose_name_plural = "易涝点"
        constraints = [models.UniqueConstraint(fields=["district_code", "name"], name="waterlogging_unique_name")]
        constraints += geometry_constraints("flood_waterloggingpoint", location="易涝点位置")


@tracked()
class Shelter(PlaceAtRisk):
    """避险安置点 with the number of people it can take."""

    address = models.CharField("地址", max_length=200, blank=True)
    capacity = models.PositiveIntegerField("容纳人数")

    class Meta(PlaceAtRisk.Meta):
        verbose_name = "避险安置点"
        verbose_name_plural = "避险安置点"
        constraints = [models.UniqueConstraint(fields=["district_code", "name"], name="shelter_unique_name")]
        constraints += geometry_constraints("flood_shelter", location="安置点位置")


@tracked()
class EvacuationVillage(PlaceAtRisk):
    """A village to evacuate (需转移村庄) with its population and the shelter it goes to."""

    town = models.CharField("所属乡镇", max_length=64)
    population = models.PositiveIntegerField("人口")
    shelter = models.ForeignKey(Shelter, verbose_name="安置点", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="villages")

    class Meta(PlaceAtRisk.Meta):
        verbose_name = "需转移村庄"
        verbose_name_plural = "需转移村庄"
        constraints = [models.UniqueConstraint(fields=["district_code", "town", "name"],
                                               name="village_unique_name")]
        constraints += geometry_constraints("flood_evacuationvillage", location="村庄位置")
# The storm events (应急指挥) live in their own module; importing them here registers them.
from .events.models import *  # noqa: E402, F403
