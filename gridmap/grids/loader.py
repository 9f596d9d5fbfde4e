"""The grid loader: a file of grids in, a valid grid tree in PostGIS out, or nothing at all.

Topology is checked in PostGIS on the state the database would have after the import (the
file's grids merged over the stored ones), so a partial file (say, only the level-II cells of
one town) is judged against the stored parents and siblings.

Boundaries through time (generations, grids.models.Grid.valid_from/valid_to): an import is
valid from a day (`valid_from`, today by default). A grid whose boundary (or parent) changes
is not overwritten: its row is closed on the day before and a new row with the same code
opens, and stored open cells that the file's cells of their level cover (a cell split into
new codes, cells merged into one) are closed too. Unchanged grids stay as they are; a change
of name or kind only is made in place. Records (inspections, hazards, patrols, ...) keep the
row of their day: nothing here re-points them. Duties that go on past the change move with a
continuing code to its new row (split at the day); the duties of a closed code end the day
before. A boundary changed again on the day its generation began is corrected in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import django.dispatch
import numpy as np
import shapely
from django.db import connection, transaction
from django.utils import timezone

from gridmap.core.locks import serialize
from gridmap.geo.readers import ImportRefused, Problem, feature_label, read_vector

from .conf import app_settings

# Sent inside the import transaction after grids changed, so that records located in grids
# (enterprises, ...) can be re-assigned in the same transaction by the apps that own them.
grids_changed = django.dispatch.Signal()

REQUIRED_FIELDS = ("code", "name", "level", "parent")
CODE_MAX, NAME_MAX, KIND_MAX = 32, 100, 16


@dataclass
class GridRow:
    index: int
    code: str
    name: str
    level: int
    parent_code: str | None
    kind: str
    wkb: bytes


@dataclass
class GridImportReport:
    read: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    dry_run: bool = False
    # The generation: the day the file's boundaries hold from; the codes whose stored row
    # closes on the day before, and the codes that open a new row on that day.
    valid_from: dt.date | None = None
    closed: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        text = (f"读取 {self.read} 个网格：{verb}新增 {len(self.created)}，{verb}更新 "
                f"{len(self.updated)}，未变 {self.unchanged}；警告 {len(self.warnings)} 条")
        if self.closed:
            text += (f"；边界变化：{verb}于 {self.valid_from - dt.timedelta(days=1):%Y-%m-%d} 关闭 "
                     f"{'、'.join(self.closed)}，{verb}于 {self.valid_from:%Y-%m-%d} 启用 "
                     f"{'、'.join(self.opened) or '（无）'}")
        return text


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_rows(path: Path, frame, field_map: dict[str, str], fixed_level: int | None,
               fixed_parent: str | None) -> list[GridRow]:
    columns = {c.lower(): c for c in frame.columns}
    problems: list[Problem] = []
    wanted = {name: field_map.get(name, name) for name in REQUIRED_FIELDS}
    if fixed_level is not None:
        wanted.pop("level")
    if fixed_parent is not None or fixed_level == 0:
        wanted.pop("parent")
    for name, column in wanted.items():
        if column.lower() not in columns:
            problems.append(Problem(path.name, column, f"缺少字段（需要 {name}；现有字段 "
                                                       f"{', '.join(frame.columns[:-1])}）"))
    if problems:
        raise ImportRefused(problems)

    def get(row, name):
        column = wanted.get(name)
        return _text(row[columns[column.lower()]]) if column else ""

    kind_column = columns.get(field_map.get("kind", "kind").lower())
    rows: list[GridRow] = []
    seen: dict[str, int] = {}
    for position, (_, row) in enumerate(frame.iterrows(), start=1):
        code = get(row, "code")
        where = feature_label(path, position, code or None)
        if not code:
            problems.append(Problem(where, wanted["code"], "编码为空"))
            continue
        if code in seen:
            problems.append(Problem(where, wanted["code"], f"编码重复（与第 {seen[code]} 个要素相同）"))
            continue
        seen[code] = position
        if len(code) > CODE_MAX:
            problems.append(Problem(where, wanted["code"], f"编码长度 {len(code)} 超过 {CODE_MAX}"))
        name = get(row, "name")
        if not name:
            problems.append(Problem(where, wanted["name"], "名称为空"))
        elif len(name) > NAME_MAX:
            problems.append(Problem(where, wanted["name"], f"名称长度 {len(name)} 超过 {NAME_MAX}"))
        if fixed_level is not None:
            level = fixed_level
        else:
            try:
                level = int(float(get(row, "level")))
            except ValueError:
                problems.append(Problem(where, wanted["level"], f"级别 {get(row, 'level')!r} 不是数字"))
                continue
        if level not in (0, 1, 2, 3):
            problems.append(Problem(where, wanted.get("level", "level"), f"级别 {level} 不在 0–3 之内"))
            continue
        parent = fixed_parent if fixed_parent is not None else get(row, "parent")
        if level == 0:
            parent = None
        elif not parent:
            problems.append(Problem(where, wanted.get("parent", "parent"), "上级网格编码为空"))
        geometry = row.geometry
        if geometry is None or geometry.is_empty:
            problems.append(Problem(where, "geometry", "没有几何图形"))
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(where, "geometry", f"几何类型 {geometry.geom_type} 不是面"))
            continue
        kind = _text(row[kind_column]) if kind_column else ""
        if len(kind) > KIND_MAX:
            problems.append(Problem(where, "kind", f"类型长度 {len(kind)} 超过 {KIND_MAX}"))
        rows.append(GridRow(position, code, name, level, parent, kind,
                            shapely.to_wkb(geometry)))
    if problems:
        raise ImportRefused(problems)
    return rows


def _fetch(cursor, sql: str, params=()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _stage(cursor, rows: list[GridRow]) -> None:
    # ON COMMIT DROP does not fire when the import runs inside a larger transaction.
    cursor.execute("DROP TABLE IF EXISTS grid_staging, grid_merged, grid_superseded")
    cursor.execute("""
        CREATE TEMP TABLE grid_staging (
            idx integer, code text PRIMARY KEY, name text, level smallint, parent_code text,
            kind text, geom geometry(MultiPolygon, 4326), state text, old_id bigint
        ) ON COMMIT DROP""")
    cursor.executemany(
        "INSERT INTO grid_staging (idx, code, name, level, parent_code, kind, geom) VALUES (%s, %s, %s, %s, %s, %s, "
        "ST_Multi(ST_GeomFromWKB(%s, 4326)))",
        [(r.index, r.code, r.name, r.level, r.parent_code, r.kind, r.wkb) for r in rows],
    )


def _check_validity(cursor, path: Path, repair: bool, report: GridImportReport) -> list[Problem]:
    invalid = _fetch(cursor, """
        SELECT idx, code, ST_IsValidReason(geom) FROM grid_staging
        WHERE NOT ST_IsValid(geom) ORDER BY idx""")
    if not invalid:
        return []
    if repair:
        cursor.execute("""
            UPDATE grid_staging
            SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
            WHERE NOT ST_IsValid(geom)""")
        report.repaired = [f"{feature_label(path, i, c)}: {reason}（已修复）" for i, c, reason in invalid]
        return []
    return [Problem(feature_label(path, i, c), "geometry",
                    f"几何无效：{reason}（可用 --repair 修复后导入）") for i, c, reason in invalid]


def _check_topology(cursor, path: Path, tolerance: float, report: GridImportReport) -> list[Problem]:
    problems: list[Problem] = []
    # Open stored grids that the file replaces under other codes: not in the file, and covered
    # (within the tolerance, and for more than half of their area whatever the tolerance) by
    # the file's grids of their level (a split, a merge).
    cursor.execute("""
        CREATE TEMP TABLE grid_superseded ON COMMIT DROP AS
        SELECT g.id, g.code FROM grids_grid g
        JOIN grid_staging s ON s.level = g.level AND s.geom && g.geom
             AND ST_Relate(s.geom, g.geom, '2********')
        WHERE g.valid_to IS NULL AND g.code NOT IN (SELECT code FROM grid_staging)
        GROUP BY g.id, g.code, g.geom
        HAVING ST_Area(ST_Difference(g.geom, ST_Union(s.geom))::geography) <= %s
           AND ST_Area(ST_Difference(g.geom, ST_Union(s.geom))) < 0.5 * ST_Area(g.geom)""", [tolerance])
    # The state after the import: the file's grids over the stored open ones.
    cursor.execute("""
        CREATE TEMP TABLE grid_merged ON COMMIT DROP AS
        SELECT idx, code, level, parent_code, geom, true AS from_file FROM grid_staging
        UNION ALL
        SELECT NULL, g.code, g.level, p.code, g.geom, false FROM grids_grid g
        LEFT JOIN grids_grid p ON p.id = g.parent_id
        WHERE g.valid_to IS NULL AND g.code NOT IN (SELECT code FROM grid_staging)
          AND g.id NOT IN (SELECT id FROM grid_superseded);
        CREATE INDEX ON grid_merged USING gist (geom);
        CREATE INDEX ON grid_merged (code);
        CREATE INDEX ON grid_merged (parent_code);
        ANALYZE grid_merged""")

    def label(idx, code):
        return feature_label(path, idx, code) if idx else f"已有网格 [code={code}]"

    def area_found(where: str, area_m2: float, problem: str, warning: str) -> None:
        """An area (outside a parent, overlapping, a gap) above the tolerance is a problem;
        a smaller one is only a warning."""
        if area_m2 > tolerance:
            problems.append(Problem(where, "geometry", problem))
        elif area_m2 > 0:
            report.warnings.append(warning)

    for idx, code, parent_code, parent_level, level in _fetch(cursor, """
            SELECT s.idx, s.code, s.parent_code, p.level, s.level FROM grid_staging s
            LEFT JOIN grid_merged p ON p.code = s.parent_code
            WHERE s.level > 0 AND (p.code IS NULL OR p.level <> s.level - 1) ORDER BY s.idx"""):
        if parent_level is None:
            problems.append(Problem(label(idx, code), "parent", f"上级网格 {parent_code} 不存在"))
        else:
            problems.append(Problem(label(idx, code), "level",
                                    f"级别 {level} 与上级网格 {parent_code} 的级别 {parent_level} 不相接"))
    if problems:
        return problems

    # Each grid inside its parent: checked where the child or the parent comes from the file.
    for idx, code, parent_code, outside in _fetch(cursor, """
            SELECT c.idx, c.code, c.parent_code,
                   ST_Area(ST_Difference(c.geom, p.geom)::geography) AS outside
            FROM grid_merged c JOIN grid_merged p ON p.code = c.parent_code
            WHERE (c.from_file OR p.from_file)
              AND NOT ST_CoveredBy(c.geom, p.geom)
            ORDER BY c.idx NULLS LAST, c.code"""):
        area_found(label(idx, code), outside, f"超出上级网格 {parent_code} 约 {outside:,.0f} m²",
                   f"{label(idx, code)}: 超出上级网格 {parent_code} {outside:.1f} m²（小于容差）")

    # No two siblings overlap.
    for a_idx, a_code, b_idx, b_code, overlap, x, y in _fetch(cursor, """
            SELECT a.idx, a.code, b.idx, b.code, ST_Area(i::geography),
                   ST_X(ST_PointOnSurface(i)), ST_Y(ST_PointOnSurface(i))
            FROM grid_merged a JOIN grid_merged b
              ON a.parent_code IS NOT DISTINCT FROM b.parent_code AND a.level = b.level
             AND a.code < b.code AND a.geom && b.geom AND (a.from_file OR b.from_file)
             AND ST_Relate(a.geom, b.geom, '2********'),
            LATERAL ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3) AS i
            WHERE NOT ST_IsEmpty(i)
            ORDER BY a.idx NULLS LAST, a.code"""):
        area_found(label(a_idx, a_code), overlap,
                   f"与 {label(b_idx, b_code)} 重叠约 {overlap:,.0f} m²（位于 {x:.5f}, {y:.5f}）",
                   f"{label(a_idx, a_code)} 与 {b_code}: 重叠 {overlap:.1f} m²（小于容差）")

    # The children of a parent cover it without gaps, wherever the file changes either.
    for p_idx, p_code, gap, x, y in _fetch(cursor, """
            WITH touched AS (
                SELECT DISTINCT p.code FROM grid_merged p JOIN grid_merged c ON c.parent_code = p.code
                WHERE p.from_file OR c.from_file
            ), gaps AS (
                SELECT p.idx, p.code,
                       ST_CollectionExtract(ST_Difference(p.geom, ST_Union(c.geom)), 3) AS gap
                FROM grid_merged p JOIN touched t ON t.code = p.code
                JOIN grid_merged c ON c.parent_code = p.code
                GROUP BY p.idx, p.code, p.geom
            )
            SELECT idx, code, ST_Area(gap::geography),
                   ST_X(ST_PointOnSurface(gap)), ST_Y(ST_PointOnSurface(gap))
            FROM gaps WHERE NOT ST_IsEmpty(gap) ORDER BY code"""):
        area_found(label(p_idx, p_code), gap,
                   f"下级网格未完全覆盖本网格：缺口约 {gap:,.0f} m²（位于 {x:.5f}, {y:.5f}）",
                   f"{label(p_idx, p_code)}: 下级网格间缝隙 {gap:.1f} m²（小于容差）")
    return problems


def _diff(cursor, report: GridImportReport, path: Path, day: dt.date) -> list[Problem]:
    """Each file grid's state against the open stored row of its code: created, unchanged,
    renamed (name or kind only: in place), reshaped (boundary or parent: a new generation),
    corrected (reshaped on the day its generation began: in place)."""
    cursor.execute("""
        UPDATE grid_staging s SET old_id = g.id, state = CASE
            WHEN ST_Equals(g.geom, s.geom) AND p.code IS NOT DISTINCT FROM s.parent_code
                THEN CASE WHEN g.name = s.name AND g.level = s.level AND g.kind = s.kind
                          THEN 'unchanged' ELSE 'renamed' END
            WHEN g.valid_from >= %s THEN 'corrected'
            ELSE 'reshaped' END
        FROM grids_grid g LEFT JOIN grids_grid p ON p.id = g.parent_id
        WHERE g.code = s.code AND g.valid_to IS NULL""", [day])
    cursor.execute("UPDATE grid_staging SET state = 'created' WHERE state IS NULL")
    problems = [Problem(feature_label(path, idx, code), "geometry",
                        f"生效日期 {day:%Y-%m-%d} 早于已有网格的生效日期 {since:%Y-%m-%d}，不能在其之前变更边界")
                for idx, code, since in _fetch(cursor, """
                    SELECT s.idx, s.code, g.valid_from FROM grid_staging s JOIN grids_grid g ON g.id = s.old_id
                    WHERE s.state = 'corrected' AND g.valid_from > %s ORDER BY s.idx""", [day])]
    problems += [Problem(f"已有网格 [code={code}]", "geometry",
                         f"生效日期 {day:%Y-%m-%d} 早于其生效日期 {since:%Y-%m-%d}，不能被新网格取代")
                 for code, since in _fetch(cursor, """
                    SELECT g.code, g.valid_from FROM grid_superseded x JOIN grids_grid g ON g.id = x.id
                    WHERE g.valid_from >= %s ORDER BY g.code""", [day])]
    if problems:
        return problems
    for code, state in _fetch(cursor, "SELECT code, state FROM grid_staging ORDER BY idx"):
        if state == "created":
            report.created.append(code)
            report.opened.append(code)
        elif state == "unchanged":
            report.unchanged += 1
        else:
            report.updated.append(code)
            if state == "reshaped":
                report.closed.append(code)
                report.opened.append(code)
    report.closed += [code for (code,) in _fetch(cursor, "SELECT code FROM grid_superseded ORDER BY code")]
    if not report.closed:
        # Only new grids and changes in place: no generation starts, the list of those that
        # open is the list of those created.
        report.opened = []
    return []


# The open row of a code (a parent is looked up by code among the open rows).
OPEN_PARENT = "LEFT JOIN grids_grid p ON p.code = s.parent_code AND p.valid_to IS NULL"


def _write(cursor, day: dt.date) -> None:
    eve = day - dt.timedelta(days=1)
    # Close the rows whose boundary changes, and those the file replaces under other codes.
    cursor.execute("""
        UPDATE grids_grid SET valid_to = %s, updated_at = now()
        WHERE id IN (SELECT old_id FROM grid_staging WHERE state = 'reshaped'
                     UNION ALL SELECT id FROM grid_superseded)""", [eve])
    # Parents first, so that each level finds the ids of the one above.
    for level in range(4):
        cursor.execute(f"""
            INSERT INTO grids_grid (code, name, level, kind, parent_id, district_code, geom,
                                    area_m2, valid_from, updated_at)
            SELECT s.code, s.name, s.level, s.kind, p.id, COALESCE(p.district_code, s.code),
                   s.geom, ST_Area(s.geom::geography), %s, now()
            FROM grid_staging s {OPEN_PARENT}
            WHERE s.level = %s AND s.state IN ('created', 'reshaped')""", [day, level])
        cursor.execute(f"""
            UPDATE grids_grid g SET
                name = s.name, kind = s.kind, parent_id = p.id,
                district_code = COALESCE(p.district_code, s.code),
                geom = s.geom, area_m2 = ST_Area(s.geom::geography), updated_at = now()
            FROM grid_staging s {OPEN_PARENT}
            WHERE g.id = s.old_id AND s.level = %s AND s.state IN ('renamed', 'corrected')""", [level])
    # Open grids under a closed parent whose code goes on: under its new row.
    cursor.execute("""
        UPDATE grids_grid c SET parent_id = np.id, updated_at = now()
        FROM grids_grid op JOIN grids_grid np ON np.code = op.code AND np.valid_to IS NULL
        WHERE c.valid_to IS NULL AND c.parent_id = op.id AND op.valid_to IS NOT NULL""")
    # Duties on the closed rows: those of a code that goes on follow it to its new row (split
    # at the day), those of a code that ends end the day before.
    cursor.execute("""
        CREATE TEMP TABLE grid_successor ON COMMIT DROP AS
        SELECT o.id AS old_id, n.id AS new_id FROM grids_grid o
        JOIN grids_grid n ON n.code = o.code AND n.valid_to IS NULL
        WHERE o.valid_to = %s AND o.id IN (SELECT old_id FROM grid_staging WHERE state = 'reshaped')""",
                   [eve])
    cursor.execute("""
        UPDATE grids_gridassignment a SET grid_id = x.new_id FROM grid_successor x
        WHERE a.grid_id = x.old_id AND a.valid_from >= %s""", [day])
    cursor.execute("""
        INSERT INTO grids_gridassignment (user_id, grid_id, role, valid_from, valid_to, district_code,
                                          created_at, created_by_id, note)
        SELECT a.user_id, x.new_id, a.role, %s, a.valid_to, a.district_code, now(), a.created_by_id, a.note
        FROM grids_gridassignment a JOIN grid_successor x ON x.old_id = a.grid_id
        WHERE (a.valid_from IS NULL OR a.valid_from < %s) AND (a.valid_to IS NULL OR a.valid_to >= %s)""",
                   [day, day, day])
    cursor.execute("""
        UPDATE grids_gridassignment a SET valid_to = %s
        FROM grids_grid g WHERE g.id = a.grid_id AND g.valid_to = %s
          AND (g.id IN (SELECT old_id FROM grid_staging WHERE state = 'reshaped')
               OR g.id IN (SELECT id FROM grid_superseded))
          AND (a.valid_from IS NULL OR a.valid_from < %s) AND (a.valid_to IS NULL OR a.valid_to >= %s)""",
                   [eve, eve, day, day])
    cursor.execute("DROP TABLE grid_successor")


def import_grids(path: str | Path, *, encoding: str | None = None, source_crs: str | None = None,
                 layer: str | None = None, field_map: dict[str, str] | None = None,
                 level: int | None = None, parent: str | None = None, dry_run: bool = False,
                 repair: bool = False, tolerance_m2: float | None = None,
                 valid_from: dt.date | None = None) -> GridImportReport:
    """Validate and load a grid file in one transaction; raise ImportRefused on any problem.
    Changed boundaries hold from `valid_from` (today in the district's time zone by default)."""
    path = Path(path)
    day = valid_from or timezone.localdate()
    tolerance = app_settings.TOPOLOGY_TOLERANCE_M2 if tolerance_m2 is None else tolerance_m2
    data = read_vector(path, encoding=encoding, source_crs=source_crs, layer=layer)
    rows = parse_rows(path, data.frame, field_map or {}, level, parent)
    report = GridImportReport(read=len(rows), dry_run=dry_run, valid_from=day)
    with transaction.atomic(), connection.cursor() as cursor:
        serialize("gridmap.grids.import")
        _stage(cursor, rows)
        problems = _check_validity(cursor, path, repair, report)
        if not problems:
            problems = _check_topology(cursor, path, tolerance, report)
        if not problems:
            problems = _diff(cursor, report, path, day)
        if problems:
            raise ImportRefused(problems)
        if dry_run:
            transaction.set_rollback(True)
            return report
        _write(cursor, day)
        if report.created or report.updated or report.closed:
            grids_changed.send(sender=import_grids,
                               codes=sorted(set(report.created + report.updated + report.closed)))
        cursor.execute("DROP TABLE grid_staging, grid_merged, grid_superseded")
    return report
