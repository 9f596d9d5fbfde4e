from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Min, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from gridmap.accounts.selectors import active_users_with_grid_officer_role

from .models import Grid, GridAssignment
from .scope import active_on, active_on_sql, on_duty_on, on_duty_on_sql, scope_for

# Everyone with a duty on a grid on a date (%s twice), as a JSON array: the grid layers'
# popups. Every duty, not only officers and substitutes: a level-I grid's only duties are its
# supervisors and contact leaders, and the popup names them (the lookup, CELL_ANSWER_JSON,
# answers "who is on duty here" and so lists officers and substitutes only).
OFFICERS_JSON = """
    (SELECT COALESCE(json_agg(json_build_object(
                'name', u.full_name, 'username', u.username, 'phone', u.phone,
                'role', a.role) ORDER BY a.role, u.username), '[]'::json)
     FROM grids_gridassignment a JOIN accounts_user u ON u.id = a.user_id
     WHERE a.grid_id = grids_grid.id AND u.is_active AND """ + active_on_sql("a", "%s") + ")"


def grids_for_user(user, *, level: int | None = None, on: dt.date | None = None) -> QuerySet[Grid]:
    """The grids (of the generation valid on the day) a user may see, with their parent and
    the people on duty that day (today by default)."""
    day = on or timezone.localdate()
    queryset = scope_for(user, day).grids().valid_on(day)
    if level is not None:
        queryset = queryset.filter(level=level)
    return queryset.annotate(
        parent_code=F("parent__code"),
        parent_name=F("parent__name"),
        officers=RawSQL(OFFICERS_JSON, (day, day)),
    ).order_by("code")


# The grid row `c` belongs to the generation valid on %(day)s (Grid.objects.valid_on in SQL).
VALID_ON_SQL = "c.valid_from <= %(day)s AND (c.valid_to IS NULL OR c.valid_to >= %(day)s)"


# The officers in the lookup's answer: for those whose scope holds the cell, who is on duty and
# how to reach them; for everyone else, the names on duty, enough to route a report, but no
# username (which lock-out is keyed on) and no phone. (key, column) pairs, `u` the user and
# `a` the assignment; the answers' SQL and the cell index's digests are both made from them.
CONTACT_FIELDS = (("name", "u.full_name"), ("username", "u.username"), ("phone", "u.phone"), ("role", "a.role"))
NAME_FIELDS = (("name", "u.full_name"), ("role", "a.role"))

# The duties that put someone on duty in a cell on %(day)s, with their users (`a`, `u`).
ON_DUTY_FROM_SQL = ("grids_gridassignment a JOIN accounts_user u ON u.id = a.user_id"
                    " WHERE u.is_active AND " + on_duty_on_sql("a", "%(day)s"))


def _officers_json_agg(fields) -> str:
    pairs = ", ".join(f"'{key}', {column}" for key, column in fields)
    return f"json_agg(json_build_object({pairs}) ORDER BY a.role, u.username)"


def _answer_object(parent: str, officers: str) -> str:
    """The answer for cell `c` (without the point): code, name, level, kind, the parent and the
    officers, given as SQL expressions (a parent's JSON object or NULL, a JSON array)."""
    return (f"json_build_object('code', c.code, 'name', c.name, 'level', c.level, 'kind', c.kind,"
            f" 'parent', {parent}, 'officers', {officers})")


# The lookup's answer for one cell `c` (without the point), as JSON: code, name, level, kind,
# the parent and the officers and substitutes on duty on %(day)s, read by subqueries (one
# cell: the SQL lookup below). The in-memory cell index reads every cell's answer at once
# with cell_answers_sql, made of the same parts, so both answer alike.
def _cell_answer_sql(fields) -> str:
    return _answer_object(
        "(SELECT json_build_object('code', p.code, 'name', p.name) FROM grids_grid p WHERE p.id = c.parent_id)",
        f"(SELECT COALESCE({_officers_json_agg(fields)}, '[]'::json) FROM {ON_DUTY_FROM_SQL} AND a.grid_id = c.id)")


CELL_ANSWER_JSON = _cell_answer_sql(CONTACT_FIELDS)
CELL_ANSWER_NAMES_JSON = _cell_answer_sql(NAME_FIELDS)

# What a cell's officers on %(day)s are made of, as one number: the sum (modulo 2^63 - 1) of a
# 64-bit hash of each on-duty row's fields (every column either answer shows), 0 for none.
# The rows are those the answers list (ON_DUTY_FROM_SQL), so whatever changes the officers
# changes the digest (but for a 64-bit hash collision): a duty added, ended, moved or handed
# over, its dates passing, a user renamed, given another phone or deactivated. A sum, not a
# hash of the ordered rows: no sort per cell (half the time at province scale).
_DIGEST_COLUMNS = ", ".join(dict.fromkeys(column for _, column in CONTACT_FIELDS + NAME_FIELDS))
OFFICERS_DIGEST_SQL = f"mod(sum(hashtextextended(ROW({_DIGEST_COLUMNS})::text, 0)), 9223372036854775807)::bigint"

# The parent `up1` joined to `c`, as the reference's subquery gives it (NULL without a parent).
_PARENT_OR_NULL = "CASE WHEN up1.id IS NOT NULL THEN json_build_object('code', up1.code, 'name', up1.name) END"

# Every answer of the cells (level ≥ 2) valid on %(day)s in one set-based query: the officers
# of every cell aggregated at once (a hash join), not two subqueries per cell (at province
# scale, 50,000 cells, those made the query take seconds). In answer order (level
# descending, code: among the cells covering a point the first wins, as in the SQL lookup):
# id, answer with contacts, answer with names, the codes of the cell and its ancestors, the
# officers' digest. `restrict` narrows the cells (an SQL condition on `c`, and the same on
# `a.grid_id`, e.g. "= ANY(%(ids)s)"); `geometry` adds the cell's WKB first.
def cell_answers_sql(restrict: str = "", *, geometry: bool = False) -> str:
    return f"""
        WITH o AS (
            SELECT a.grid_id, {_officers_json_agg(CONTACT_FIELDS)} AS contacts,
                   {_officers_json_agg(NAME_FIELDS)} AS names, {OFFICERS_DIGEST_SQL} AS digest
            FROM {ON_DUTY_FROM_SQL} {f"AND a.grid_id {restrict}" if restrict else ""}
            GROUP BY a.grid_id)
        SELECT {"ST_AsBinary(c.geom), " if geometry else ""}c.id,
            {_answer_object(_PARENT_OR_NULL, "COALESCE(o.contacts, '[]'::json)")}::text,
            {_answer_object(_PARENT_OR_NULL, "COALESCE(o.names, '[]'::json)")}::text,
            ARRAY[c.code, up1.code, up2.code], COALESCE(o.digest, 0)
        FROM grids_grid c
        LEFT JOIN grids_grid up1 ON up1.id = c.parent_id LEFT JOIN grids_grid up2 ON up2.id = up1.parent_id
        LEFT JOIN o ON o.grid_id = c.id
        WHERE c.level >= 2 AND {VALID_ON_SQL} {f"AND c.id {restrict}" if restrict else ""}
        ORDER BY c.level DESC, c.code"""


# The officers' digest of every cell with anyone on duty on %(day)s (grid id, digest): the
# cell index compares them with its own to read again only the answers that changed.
OFFICERS_DIGESTS_SQL = f"SELECT a.grid_id, {OFFICERS_DIGEST_SQL} FROM {ON_DUTY_FROM_SQL} GROUP BY a.grid_id"


def with_point(answer: str, lon: float, lat: float) -> str:
    """A cell's answer (JSON object text) with the asked point added to it."""
    return f'{answer[:-1]}, "lon" : {float(lon)!r}, "lat" : {float(lat)!r}}}'


def cell_at_point_json(lon: float, lat: float, *, on: dt.date | None = None, contacts: bool = True) -> str | None:
    """The deepest grid covering a WGS84 point, its parent and the officers on duty, as the
    JSON text of the lookup API, built in one indexed query.

    A point on the border of two cells belongs to both; the lower code wins so that the
    answer is stable. The cell is the one of the generation valid on the day (a past day
    finds the boundary of that day, and its officers of that day). The API answers today from
    grids.cell_index (memory); this is the reference it is tested against, and the answer for
    another day. Without `contacts`, the officers are named only (CELL_ANSWER_NAMES_JSON).
    """
    day = on or timezone.localdate()
    # The cell is found first (materialised), so that the parent and the officers are
    # joined to one row only; the planner otherwise merge-joins all grids.
    sql = f"""
        WITH c AS MATERIALIZED (
            SELECT c.id, c.code, c.name, c.level, c.kind, c.parent_id FROM grids_grid c
            WHERE c.level >= 2 AND {VALID_ON_SQL}
              AND ST_Covers(c.geom, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
            ORDER BY c.level DESC, c.code LIMIT 1)
        SELECT {CELL_ANSWER_JSON if contacts else CELL_ANSWER_NAMES_JSON}::text FROM c"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"day": day, "lon": lon, "lat": lat})
        row = cursor.fetchone()
    return with_point(row[0], lon, lat) if row else None


def cell_on(point, day: dt.date) -> Grid | None:
    """The deepest grid covering a point (a GEOS Point, SRID 4326) in the generation of a
    record's day: a record keeps the cell of its day (ST_Covers on the GiST index; on a
    shared border the lower code wins, as in the lookup)."""
    return (Grid.objects.valid_on(day).filter(level__gte=Grid.Level.LEVEL_2, geom__covers=point)
            .order_by("-level", "code").first())


def cell_at_point_json_for(user, lon: float, lat: float, *, on: dt.date) -> str | None:
    """The lookup answer for a point on a day (the cell of that day's generation and the
    officers on duty that day) as `user` may see it: contacts only for a cell in the user's
    scope on that day (the rule of grids.cell_index, for another day than today)."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT c.code, up1.code, up2.code FROM grids_grid c
            LEFT JOIN grids_grid up1 ON up1.id = c.parent_id LEFT JOIN grids_grid up2 ON up2.id = up1.parent_id
            WHERE c.level >= 2 AND {VALID_ON_SQL}
              AND ST_Covers(c.geom, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
            ORDER BY c.level DESC, c.code LIMIT 1""", {"day": on, "lon": lon, "lat": lat})
        row = cursor.fetchone()
    if row is None:
        return None
    scope = scope_for(user, on)
    contacts = scope.everything or not scope.root_codes.isdisjoint(code for code in row if code)
    return cell_at_point_json(lon, lat, on=on, contacts=contacts)


def first_generation_day() -> dt.date | None:
    """The first day any grid holds (None without grids)."""
    return Grid.objects.aggregate(first=Min("valid_from"))["first"]


# Two grid rows `a` and `b` share ground: more than a sliver (1 % of the smaller) of their
# areas overlap, so that neighbours whose borders differ by a hair do not count.
SHARE_GROUND_SQL = """{a}.geom && {b}.geom AND ST_Relate({a}.geom, {b}.geom, '2********')
    AND ST_Area(ST_Intersection({a}.geom, {b}.geom)) > 0.01 * LEAST(ST_Area({a}.geom), ST_Area({b}.geom))"""


@dataclass
class BoundaryLink:
    relation: str  # in Chinese: 拆分自, 合并自, 原范围, 拆分为, 并入, 调整后范围, ...
    code: str
    name: str
    valid_from: dt.date
    valid_to: dt.date | None


def boundary_history(grid: Grid) -> list[BoundaryLink]:
    """The grids of the generation before `grid` and of the one after it that share its
    ground (by spatial overlap between generations), each with its relation to `grid`: where
    a cell was split from or merged from, and what it was split into or merged into."""
    sql = f"""
        SELECT o.code, o.name, o.valid_from, o.valid_to, o.valid_to IS NOT NULL AND o.valid_to = g.valid_from - 1,
               (SELECT count(*) FROM grids_grid x WHERE x.level = o.level AND x.valid_to = o.valid_from - 1
                  AND {SHARE_GROUND_SQL.format(a="x", b="o")}),
               (SELECT count(*) FROM grids_grid x WHERE x.level = o.level AND x.valid_from = o.valid_to + 1
                  AND {SHARE_GROUND_SQL.format(a="x", b="o")})
        FROM grids_grid g JOIN grids_grid o ON o.level = g.level AND o.id <> g.id
             AND (o.valid_to = g.valid_from - 1 OR o.valid_from = g.valid_to + 1)
             AND {SHARE_GROUND_SQL.format(a="o", b="g")}
        WHERE g.id = %s ORDER BY o.valid_from, o.code"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [grid.pk])
        rows = cursor.fetchall()
    before = [row for row in rows if row[4]]
    links = []
    for code, name, valid_from, valid_to, earlier, predecessors, successors in rows:
        if earlier:
            relation = ("原范围" if code == grid.code else "合并自" if len(before) > 1
                        else "拆分自" if successors > 1 else "前身")
        else:
            relation = ("调整后范围" if code == grid.code else "并入" if predecessors > 1
                        else "拆分为" if len(rows) - len(before) > 1 else "改为")
        links.append(BoundaryLink(relation, code, name, valid_from, valid_to))
    return links


def district_centre() -> tuple[float, float]:
    """(lat, lon) of the centre of the stored district, for a map's first view."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Y(c), ST_X(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) AS c "
                       "FROM grids_grid WHERE level = 0) s")
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return (38.93, 116.97)
    return (row[0], row[1])


def parent_outlines_for_user(user, *, on: dt.date | None = None) -> QuerySet[Grid]:
    """The level-I grids around the cells a user sees: an officer's own town or park.

    Outline and name only (no people): an officer sees where their cell sits, not the
    records of the neighbouring cells.
    """
    day = on or timezone.localdate()
    cells = scope_for(user, day).cells().valid_on(day)
    return Grid.objects.filter(level=Grid.Level.LEVEL_1, pk__in=cells.values("parent_id")).order_by("code")


# Active officers and substitutes of a cell on a date (%s twice).
ACTIVE_ON_DUTY_COUNT = """
    (SELECT count(*) FROM grids_gridassignment a JOIN accounts_user u ON u.id = a.user_id
     WHERE a.grid_id = grids_grid.id AND u.is_active AND """ + on_duty_on_sql("a", "%s") + ")"


def cells_with_coverage(user, *, on: dt.date | None = None) -> QuerySet[Grid]:
    """Cells in the user's scope with the number of officers on duty (for the assigning map)."""
    day = on or timezone.localdate()
    return grids_for_user(user, level=Grid.Level.LEVEL_2, on=day).annotate(
        on_duty=RawSQL(ACTIVE_ON_DUTY_COUNT, (day, day)))


def assignments_of_grid(user, code: str, *, on: dt.date | None = None) -> QuerySet[GridAssignment] | None:
    """Every assignment (past, present, planned) of a grid in the user's scope; None if unseen."""
    day = on or timezone.localdate()
    grid = scope_for(user, day).grids().valid_on(day).filter(code=code).first()
    if grid is None:
        return None
    return (GridAssignment.objects.filter(grid=grid).select_related("user", "created_by", "grid")
            .order_by("role", "-valid_from", "user__username"))


def assignment_in_scope(user, pk: int, *, on: dt.date | None = None) -> GridAssignment | None:
    return (GridAssignment.objects.filter(pk=pk, grid__in=scope_for(user, on).grids())
            .select_related("user", "grid").first())


def user_active_cells(user, *, on: dt.date | None = None) -> QuerySet[Grid]:
    """The cells a person is on duty for (officer or substitute) on a date."""
    day = on or timezone.localdate()
    duties = GridAssignment.objects.filter(on_duty_on(day), user=user)
    return (Grid.objects.valid_on(day).filter(level__gte=Grid.Level.LEVEL_2, pk__in=duties.values("grid_id"))
            .order_by("code"))


@dataclass
class CoverageAudit:
    on: dt.date
    uncovered: list[dict]
    away: list[dict]
    idle_officers: list


def coverage_audit(user, *, on: dt.date | None = None) -> CoverageAudit:
    """Gaps in the duty roster within the user's scope, on a date.

    - uncovered: cells with no officer or substitute on duty;
    - away: cells whose officer's duty has ended (or not begun) and that have no officer
      now, whether or not a substitute covers;
    - idle officers: accounts with the officer role and no active cell duty.
    """
    day = on or timezone.localdate()
    cells = cells_with_coverage(user, on=day)
    uncovered = [{"code": c.code, "name": c.name, "parent_name": c.parent_name}
                 for c in cells.filter(on_duty=0)]
    active = active_on(day)
    officer_now = GridAssignment.objects.filter(active, role=GridAssignment.Duty.CELL_OFFICER,
                                                user__is_active=True)
    away_cells = (cells.filter(pk__in=GridAssignment.objects.filter(role=GridAssignment.Duty.CELL_OFFICER)
                               .values("grid_id"))
                  .exclude(pk__in=officer_now.values("grid_id")))
    away = []
    for cell in away_cells:
        last = (GridAssignment.objects.filter(grid_id=cell.id, role=GridAssignment.Duty.CELL_OFFICER)
                .select_related("user").order_by("-valid_to", "-id").first())
        substitutes = [o for o in cell.officers if o["role"] == GridAssignment.Duty.SUBSTITUTE]
        away.append({"code": cell.code, "name": cell.name, "parent_name": cell.parent_name,
                     "officer": last.user if last else None, "ended": last.valid_to if last else None,
                     "starts": last.valid_from if last and last.valid_from and last.valid_from > day else None,
                     "substitutes": substitutes})
    idle = []
    if scope_for(user, day).everything:
        on_duty_users = GridAssignment.objects.filter(on_duty_on(day)).values("user_id")
        idle = list(active_users_with_grid_officer_role()
                    .exclude(pk__in=on_duty_users).order_by("username"))
    return CoverageAudit(on=day, uncovered=uncovered, away=away, idle_officers=idle)


def user_active_towns(user, *, on: dt.date | None = None) -> QuerySet[Grid]:
    """The level-I grids a person answers for (town supervisor or contact leader) on a date."""
    day = on or timezone.localdate()
    duties = GridAssignment.objects.filter(active_on(day), user=user)
    return Grid.objects.filter(level=Grid.Level.LEVEL_1, pk__in=duties.values("grid_id")).order_by("code")


def town_in_scope(user, code: str, *, on: dt.date | None = None) -> Grid | None:
    """A level-I grid the user may see (their own town, or any for district users)."""
    day = on or timezone.localdate()
    return scope_for(user, day).grids().valid_on(day).filter(level=Grid.Level.LEVEL_1, code=code).first()
