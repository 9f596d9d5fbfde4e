"""The grid loader: a file of grids in, a valid grid tree in PostGIS out, or nothing at all.

Topology is checked in PostGIS on the state the database would have after the import (the
file's grids merged over the stored ones), so a partial file (say, only the level-II cells of
one town) is judged against the stored parents and siblings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import django.dispatch
import numpy as np
import shapely
from django.db import connection, transaction

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

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        return (f"读取 {self.read} 个网格：{verb}新增 {len(self.created)}，{verb}更新 "
                f"{len(self.updated)}，未变 {self.unchanged}；警告 {len(self.warnings)} 条")


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
    cursor.execute("DROP TABLE IF EXISTS grid_staging, grid_merged")
    cursor.execute("""
        CREATE TEMP TABLE grid_staging (
            idx integer, code text PRIMARY KEY, name text, level smallint, parent_code text,
            kind text, geom geometry(MultiPolygon, 4326)
        ) ON COMMIT DROP""")
    cursor.executemany(
        "INSERT INTO grid_staging VALUES (%s, %s, %s, %s, %s, %s, "
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
    # The state after the import: the file's grids over the stored ones.
    cursor.execute("""
        CREATE TEMP TABLE grid_merged ON COMMIT DROP AS
        SELECT idx, code, level, parent_code, geom, true AS from_file FROM grid_staging
        UNION ALL
        SELECT NULL, g.code, g.level, p.code, g.geom, false FROM grids_grid g
        LEFT JOIN grids_grid p ON p.id = g.parent_id
        WHERE g.code NOT IN (SELECT code FROM grid_staging);
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


def _diff(cursor, report: GridImportReport) -> None:
    for code, state in _fetch(cursor, """
            SELECT s.code, CASE
                WHEN g.id IS NULL THEN 'created'
                WHEN g.name = s.name AND g.level = s.level AND g.kind = s.kind
                     AND p.code IS NOT DISTINCT FROM s.parent_code
                     AND ST_Equals(g.geom, s.geom) THEN 'unchanged'
                ELSE 'updated' END
            FROM grid_staging s LEFT JOIN grids_grid g ON g.code = s.code
            LEFT JOIN grids_grid p ON p.id = g.parent_id ORDER BY s.idx"""):
        if state == "created":
            report.created.append(code)
        elif state == "updated":
            report.updated.append(code)
        else:
            report.unchanged += 1


def _write(cursor) -> None:
    # Parents first, so that each level finds the ids of the one above.
    for level in range(4):
        cursor.execute("""
            INSERT INTO grids_grid (code, name, level, kind, parent_id, district_code, geom,
                                    area_m2, updated_at)
            SELECT s.code, s.name, s.level, s.kind, p.id, COALESCE(p.district_code, s.code),
                   s.geom, ST_Area(s.geom::geography), now()
            FROM grid_staging s LEFT JOIN grids_grid p ON p.code = s.parent_code
            WHERE s.level = %s
            ON CONFLICT (code) DO UPDATE SET
                name = EXCLUDED.name, level = EXCLUDED.level, kind = EXCLUDED.kind,
                parent_id = EXCLUDED.parent_id, district_code = EXCLUDED.district_code,
                geom = EXCLUDED.geom, area_m2 = EXCLUDED.area_m2, updated_at = now()
            WHERE NOT (grids_grid.name = EXCLUDED.name AND grids_grid.kind = EXCLUDED.kind
                       AND grids_grid.parent_id IS NOT DISTINCT FROM EXCLUDED.parent_id
                       AND ST_Equals(grids_grid.geom, EXCLUDED.geom))""", [level])


def import_grids(path: str | Path, *, encoding: str | None = None, source_crs: str | None = None,
                 layer: str | None = None, field_map: dict[str, str] | None = None,
                 level: int | None = None, parent: str | None = None, dry_run: bool = False,
                 repair: bool = False, tolerance_m2: float | None = None) -> GridImportReport:
    """Validate and load a grid file in one transaction; raise ImportRefused on any problem."""
    path = Path(path)
    tolerance = app_settings.TOPOLOGY_TOLERANCE_M2 if tolerance_m2 is None else tolerance_m2
    data = read_vector(path, encoding=encoding, source_crs=source_crs, layer=layer)
    rows = parse_rows(path, data.frame, field_map or {}, level, parent)
    report = GridImportReport(read=len(rows), dry_run=dry_run)
    with transaction.atomic(), connection.cursor() as cursor:
        serialize("gridmap.grids.import")
        _stage(cursor, rows)
        problems = _check_validity(cursor, path, repair, report)
        if not problems:
            problems = _check_topology(cursor, path, tolerance, report)
        if problems:
            raise ImportRefused(problems)
        _diff(cursor, report)
        if dry_run:
            transaction.set_rollback(True)
            return report
        _write(cursor)
        if report.created or report.updated:
            grids_changed.send(sender=import_grids, codes=report.created + report.updated)
        cursor.execute("DROP TABLE grid_staging, grid_merged")
    return report
