"""Writes: enterprises and risk points. Keyword-only, typed, each in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from .industries import industry_name, industry_problem
from .models import Enterprise
from .risk import risk_order_sql

# Which level-II cell covers each enterprise (all, or the given ones). A point on the shared
# border of two cells is covered by both; the lower code wins, as in
# grids.selectors.cell_at_point_json. Enterprises in no cell get NULL, and are reported by
# the caller rather than dropped. Only the open generation of cells: an enterprise is a
# standing record, in today's cell (its dated records, inspections and the like, keep theirs).
PICK_CELLS_SQL = """
    SELECT src.id, covering.cell_id
    FROM enterprises_enterprise AS src
    LEFT JOIN (
        -- Driven by the cells (one GiST probe of the enterprise index per cell): far
        -- fewer probes than probing the cells once per enterprise when enterprises are many.
        SELECT DISTINCT ON (p.id) p.id, g.id AS cell_id
        FROM grids_grid AS g JOIN enterprises_enterprise AS p ON ST_Covers(g.geom, p.location)
        WHERE g.level = 2 AND g.valid_to IS NULL {only_p}
        ORDER BY p.id, g.code
    ) AS covering ON covering.id = src.id
    WHERE true {only_src}"""

# Few enterprises (an import, an edit): one statement.
ASSIGN_CELLS_SQL = f"""
    UPDATE enterprises_enterprise AS e SET cell_id = pick.cell_id
    FROM ({PICK_CELLS_SQL}) AS pick
    WHERE e.id = pick.id AND e.cell_id IS DISTINCT FROM pick.cell_id"""

# Every enterprise (after the cells changed): two statements, because PostgreSQL runs no
# parallel workers under an UPDATE and the spatial join is what parallelises; the write
# then goes by id, and only where the cell changes.
PICK_ALL_CELLS_INTO_TABLE_SQL = ("CREATE TEMP TABLE enterprise_cell_pick AS "
                                 + PICK_CELLS_SQL.format(only_p="", only_src=""))
WRITE_PICKED_CELLS_SQL = """
    UPDATE enterprises_enterprise AS e SET cell_id = pick.cell_id
    FROM enterprise_cell_pick AS pick
    WHERE e.id = pick.id AND e.cell_id IS DISTINCT FROM pick.cell_id"""

# The enterprise's overall level is its highest risk point's level (blank without points).
REFRESH_RISK_LEVEL_SQL = """
    UPDATE enterprises_enterprise AS e SET risk_level = COALESCE(top.level, '')
    FROM enterprises_enterprise AS src
    LEFT JOIN LATERAL (
        SELECT r.level FROM enterprises_riskpoint AS r WHERE r.enterprise_id = src.id
        ORDER BY """ + risk_order_sql("r.level") + """
        LIMIT 1
    ) AS top ON true
    WHERE e.id = src.id AND e.risk_level IS DISTINCT FROM COALESCE(top.level, '') {only}"""


@dataclass
class CellAssignment:
    changed: int
    # (id, credit code, name) of the enterprises (among those considered) in no cell.
    outside: list[tuple[int, str, str]] = field(default_factory=list)
    cells: dict[int, int | None] = field(default_factory=dict)


def enterprises_assign_cells(*, ids: list[int] | None = None) -> CellAssignment:
    """Assign enterprises to level-II cells in PostGIS; report the homeless."""
    if ids is None:
        return _assign_all_cells()
    only, params = "AND src.id = ANY(%s)", [list(ids)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(ASSIGN_CELLS_SQL.format(only_p=only.replace("src.", "p."), only_src=only), params * 2)
        changed = cursor.rowcount
        cursor.execute("SELECT id, credit_code, name FROM enterprises_enterprise "
                       "WHERE cell_id IS NULL AND id = ANY(%s) ORDER BY id", params)
        outside = cursor.fetchall()
        cells: dict[int, int | None] = {}
        if len(ids) <= 1000:
            cursor.execute("SELECT id, cell_id FROM enterprises_enterprise WHERE id = ANY(%s)", params)
            cells = dict(cursor.fetchall())
    return CellAssignment(changed=changed, outside=outside, cells=cells)


def _assign_all_cells() -> CellAssignment:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        # The planner prices the join by rows, not by ST_Covers on big polygons: left alone it
        # splits a district's few hundred cells over no workers, and the join runs serially.
        cursor.execute("SET LOCAL min_parallel_table_scan_size = 0")
        cursor.execute("SET LOCAL parallel_setup_cost = 0")
        # Nobody changes enterprises between the pick and the write (a moved enterprise would
        # get the cell of its old place); reading them stays allowed.
        cursor.execute("LOCK TABLE enterprises_enterprise IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("DROP TABLE IF EXISTS enterprise_cell_pick")
        cursor.execute(PICK_ALL_CELLS_INTO_TABLE_SQL)
        cursor.execute("ANALYZE enterprise_cell_pick")
        cursor.execute(WRITE_PICKED_CELLS_SQL)
        changed = cursor.rowcount
        cursor.execute("SELECT e.id, e.credit_code, e.name FROM enterprise_cell_pick AS pick "
                       "JOIN enterprises_enterprise AS e ON e.id = pick.id "
                       "WHERE pick.cell_id IS NULL ORDER BY e.id")
        outside = cursor.fetchall()
        cursor.execute("DROP TABLE enterprise_cell_pick")
    return CellAssignment(changed=changed, outside=outside)


def enterprises_refresh_risk_level(*, ids: list[int] | None = None) -> int:
    only, params = ("AND src.id = ANY(%s)", [list(ids)]) if ids is not None else ("", [])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REFRESH_RISK_LEVEL_SQL.format(only=only), params)
        return cursor.rowcount


ENTERPRISE_FIELDS = {
    "name", "address", "site", "industry_code", "industry_name", "hazardous_chemicals",
    "dust_explosion", "confined_space", "ammonia", "scale", "legal_representative",
    "safety_contact", "safety_phone", "supervision_class", "status",
}


def enterprise_save(*, credit_code: str, location: Point, **values) -> Enterprise:
    """Create or update one enterprise by its credit code; its cell is assigned on save."""
    unknown = set(values) - ENTERPRISE_FIELDS
    if unknown:
        raise TypeError(f"unknown enterprise fields: {sorted(unknown)}")
    if location.srid is None:
        location.srid = 4326
    with transaction.atomic():
        enterprise = Enterprise.objects.filter(credit_code=credit_code).first() or Enterprise(
            credit_code=credit_code)
        enterprise.location = location
        for name, value in values.items():
            setattr(enterprise, name, value)
        problem = industry_problem(enterprise.industry_code)
        if problem:
            raise ValidationError({"industry_code": problem})
        if not enterprise.industry_name:
            enterprise.industry_name = industry_name(enterprise.industry_code) or ""
        enterprise.full_clean()
        # The post_save receiver assigns the cell in PostGIS (also for admin and shell saves).
        enterprise.save()
    return enterprise
