"""Officers for the province-sized data: one per level-II cell (as in Jinghai, where 719
officers keep 432 cells), so that lookups answer with people and the officer's map page can
be measured at province scale. Written by INSERT … SELECT, in the benchmark database only;
they cannot sign in with a password (the benchmark sets one for the officer it measures).
"""

from __future__ import annotations

import time

from django.db import connection, transaction

PREFIX = "bench-officer-"


def top_up_officers() -> dict:
    """An officer for every level-II cell that has none; returns counts and seconds."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("""
            CREATE TEMP TABLE bench_unstaffed ON COMMIT DROP AS
            SELECT g.id AS grid_id, g.code, g.district_code FROM grids_grid g
            WHERE g.level = 2 AND NOT EXISTS (
                SELECT 1 FROM grids_gridassignment a WHERE a.grid_id = g.id AND a.role = 'officer')""")
        cursor.execute("""
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                                       is_staff, is_active, date_joined, full_name, phone)
            SELECT '!', false, %s || code, '', '', '', false, true, now(),
                   '网格员' || right(code, 6), '139' || lpad((grid_id %% 100000000)::text, 8, '0')
            FROM bench_unstaffed
            ON CONFLICT (username) DO NOTHING""", [PREFIX])
        users = cursor.rowcount
        cursor.execute("""
            INSERT INTO accounts_user_groups (user_id, group_id)
            SELECT u.id, grp.id FROM bench_unstaffed s
            JOIN accounts_user u ON u.username = %s || s.code
            JOIN auth_group grp ON grp.name = 'officer'
            ON CONFLICT DO NOTHING""", [PREFIX])
        cursor.execute("""
            INSERT INTO grids_gridassignment (user_id, grid_id, role, district_code, created_at, note)
            SELECT u.id, s.grid_id, 'officer', s.district_code, now(), '基准数据'
            FROM bench_unstaffed s JOIN accounts_user u ON u.username = %s || s.code""", [PREFIX])
        assignments = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE grids_gridassignment")
        cursor.execute("VACUUM ANALYZE accounts_user")
    return {"users": users, "assignments": assignments, "seconds": time.perf_counter() - started}
