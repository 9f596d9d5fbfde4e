import pghistory
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from gridmap.core.constraints import geometry_constraints
from gridmap.core.models import data_version_trigger


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

    code = models.CharField("编码", max_length=32, unique=True)
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
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=0, parent__isnull=True) | Q(level__gt=0, parent__isnull=False),
                name="grid_parent_matches_level",
            ),
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

