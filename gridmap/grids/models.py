import datetime as dt

import pghistory
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from gridmap.core.constraints import geometry_constraints
from gridmap.core.models import data_version_trigger

# The sample's grids, and every grid stored before boundaries had dates, form the first
# generation, valid from this day.
FIRST_GENERATION = dt.date(2019, 1, 1)


class GridQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date) -> "GridQuerySet":
        """The generation of grids valid on a day (both ends included, an open end open)."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def current(self) -> "GridQuerySet":
        """The open generation: grids whose boundary has not been closed."""
        return self.filter(valid_to__isnull=True)


# Boundaries, names and parents change rarely and matter for every record filed under a grid:
# every change is kept. updated_at alone changing is not an event.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)),
    pghistory.DeleteEvent(),
)
class Grid(models.Model):
    """A node of the grid tree: the district (level 0), level-I, level-II, optional level-III."""

    class Level(models.IntegerChoices):
        DISTRICT = 0, "区"
        LEVEL_1 = 1, "一级网格"
        LEVEL_2 = 2, "二级网格"
        LEVEL_3 = 3, "三级网格"

    # A code names a cell through its generations: a cell whose boundary changes keeps its
    # code on a new row (the old row closed the day before), so the code is unique among open
    # rows and, with the first day, among all (constraints below).
    code = models.CharField("编码", max_length=32, db_index=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices, db_index=True)
    kind = models.CharField("类型", max_length=16, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级网格", null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # Every record carries its district code so that data can later be sharded by it.
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    geom = models.MultiPolygonField("范围", srid=4326)
    area_m2 = models.FloatField("面积 (m²)")
    # The generation: the boundary holds from valid_from to valid_to (both included; open-ended
    # while valid_to is blank). Records keep the row of their day (grids.loader).
    valid_from = models.DateField("生效日期", default=FIRST_GENERATION)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=0, parent__isnull=True) | Q(level__gt=0, parent__isnull=False),
                name="grid_parent_matches_level",
            ),
            models.UniqueConstraint(fields=["code"], condition=Q(valid_to__isnull=True),
                                    name="grid_code_unique_open",
                                    violation_error_message="网格编码在现行网格中重复"),
            models.UniqueConstraint(fields=["code", "valid_from"], name="grid_code_generation_unique",
                                    violation_error_message="同一网格编码在同一生效日期已有范围"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="grid_generation_ordered",
                                   violation_error_message="网格失效日期早于生效日期"),
        ]
        constraints += geometry_constraints("grids_grid", geom="网格范围")
        triggers = [data_version_trigger("grid_data_version")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class GridAssignment(models.Model):
    """A person's duty on a grid, optionally limited to a date range (e.g. a substitute)."""

    class Duty(models.TextChoices):
        """The duty on a grid (stored in the field `role`, an API name kept as it is). Not
        an account role: those are accounts.Role."""

        CELL_OFFICER = "cell_officer", "网格员"
        SUBSTITUTE = "substitute", "代岗网格员"
        TOWN_SUPERVISOR = "town_supervisor", "安全监管责任人"
        CONTACT_LEADER = "contact_leader", "联系负责人"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="人员",
        on_delete=models.CASCADE, related_name="grid_assignments",
    )
    grid = models.ForeignKey(
        Grid, verbose_name="网格", on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField("职责", max_length=20, choices=Duty.choices)
    valid_from = models.DateField("起始日期", null=True, blank=True)
    valid_to = models.DateField("结束日期", null=True, blank=True)
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="分配人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "网格职责"
        verbose_name_plural = "网格职责"
        ordering = ["grid__code", "role", "user__username"]
        indexes = [models.Index(fields=["grid", "role"]), models.Index(fields=["user", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="assignment_range_ordered",
            ),
            models.UniqueConstraint(
                fields=["user", "grid", "role"],
                condition=Q(valid_from__isnull=True, valid_to__isnull=True),
                name="assignment_unique_open_ended",
            ),
        ]
        triggers = [data_version_trigger("assignment_data_version")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.grid.code}"


# The duties held on a cell (level II or deeper): they put a person on duty for the cell and
# make them a grid officer; the other duties are held on a level-I grid.
CELL_DUTIES = (GridAssignment.Duty.CELL_OFFICER, GridAssignment.Duty.SUBSTITUTE)

