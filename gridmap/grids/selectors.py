from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .models import Grid
from .scope import scope_for

# People on duty for a grid on a date, as a JSON array; used by layers and the lookup.
OFFICERS_JSON = """
    (SELECT COALESCE(json_agg(json_build_object(
                'name', u.full_name, 'username', u.username, 'phone', u.phone,
                'role', a.role) ORDER BY a.role, u.username), '[]'::json)
     FROM grids_gridassignment a JOIN accounts_user u ON u.id = a.user_id
     WHERE a.grid_id = {table}.id AND u.is_active
       AND (a.valid_from IS NULL OR a.valid_from <= %s)
       AND (a.valid_to IS NULL OR a.valid_to >= %s))"""


def grids_for_user(user, *, level: int | None = None, on: dt.date | None = None) -> QuerySet[Grid]:
    """The grids a user may see, with their parent and the people on duty today."""
    day = on or timezone.localdate()
    queryset = scope_for(user, day).grids()
    if level is not None:
        queryset = queryset.filter(level=level)
    return queryset.annotate(
        parent_code=F("parent__code"),
        parent_name=F("parent__name"),
        officers=RawSQL(OFFICERS_JSON.format(table="grids_grid"), (day, day)),
    ).order_by("code")


def cell_at_point_json(lon: float, lat: float, *, on: dt.date | None = None) -> str | None:
    """The deepest grid covering a WGS84 point, its parent and the officers on duty, as the
    JSON text of the lookup API, built in one indexed query.

    A point on the border of two cells belongs to both; the lower code wins so that the
    answer is stable. The JSON is built by PostGIS so that Python only forwards it.
    """
    day = on or timezone.localdate()
    # The cell is found first (materialised), so that the parent and the officers are
    # joined to one row only; the planner otherwise merge-joins all grids.
    sql = """
        WITH cell AS MATERIALIZED (
            SELECT c.id, c.code, c.name, c.level, c.kind, c.parent_id FROM grids_grid c
            WHERE c.level >= 2
              AND ST_Covers(c.geom, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
            ORDER BY c.level DESC, c.code LIMIT 1)
        SELECT json_build_object(
            'code', cell.code, 'name', cell.name, 'level', cell.level, 'kind', cell.kind,
            'parent', (SELECT json_build_object('code', p.code, 'name', p.name)
                       FROM grids_grid p WHERE p.id = cell.parent_id),
            'officers', (SELECT COALESCE(json_agg(json_build_object(
                    'name', u.full_name, 'username', u.username, 'phone', u.phone, 'role', a.role)
                    ORDER BY a.role, u.username), '[]'::json)
                FROM grids_gridassignment a JOIN accounts_user u ON u.id = a.user_id
                WHERE a.grid_id = cell.id AND u.is_active AND a.role IN ('officer', 'substitute')
                  AND (a.valid_from IS NULL OR a.valid_from <= %(day)s)
                  AND (a.valid_to IS NULL OR a.valid_to >= %(day)s)),
            'lon', %(lon)s::float8, 'lat', %(lat)s::float8)::text
        FROM cell"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"day": day, "lon": lon, "lat": lat})
        row = cursor.fetchone()
    return row[0] if row else None


def district_centre() -> tuple[float, float]:
    """(lat, lon) of the centre of the stored district, for a map's first view."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Y(c), ST_X(c) FROM (SELECT ST_Centroid(ST_Extent(geom)) AS c "
                       "FROM grids_grid WHERE level = 0) s")
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return (38.93, 116.97)
    return (row[0], row[1])
