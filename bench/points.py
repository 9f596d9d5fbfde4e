"""Benchmarks that need enterprise points: GeoJSON at 10k/100k points, re-assigning every
enterprise to its cell (SQL vs geopandas), and bulk import rows/s (the COPY importer vs the ORM).

Synthetic enterprises are made by PostGIS itself (ST_GeneratePoints inside the root grid),
marked by credit codes starting with BENCH, in the benchmark database only.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

from django.db import connection

from bench.timing import geojson_contenders, median_ms, ratio

SYNTHETIC_PREFIX = "BENCH"


def enterprise_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enterprises_enterprise")
        return cursor.fetchone()[0]


def top_up_enterprises(total: int, seed: int = 7) -> dict:
    """Add synthetic enterprises (one INSERT … SELECT) until there are `total`; cells assigned."""
    from gridmap.enterprises.services import enterprises_assign_cells

    missing = total - enterprise_count()
    if missing <= 0:
        return {"added": 0}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(max(substr(credit_code, 6)::bigint), 0) FROM enterprises_enterprise "
                       "WHERE credit_code LIKE %s", [SYNTHETIC_PREFIX + "%"])
        offset = cursor.fetchone()[0]
        cursor.execute("""
            INSERT INTO enterprises_enterprise (
                name, credit_code, address, location, industry_code, industry_name,
                hazardous_chemicals, dust_explosion, confined_space, ammonia, scale,
                legal_representative, safety_contact, safety_phone, supervision_class, status,
                risk_level, district_code, created_at, updated_at)
            SELECT '基准企业' || n, %s || lpad(n::text, 13, '0'), '', p.geom, '3130', '钢压延加工',
                   n %% 7 = 0, false, false, false, 'small', '', '', '', 'general', 'operating',
                   (ARRAY['major', 'large', 'general', 'low'])[1 + n %% 4], root.district_code, now(), now()
            FROM (SELECT geom, district_code FROM grids_grid WHERE level = 0 LIMIT 1) AS root,
                 LATERAL (SELECT row_number() OVER () + %s AS n, d.geom
                          FROM ST_Dump(ST_GeneratePoints(root.geom, %s, %s)) AS d) AS p""",
                       [SYNTHETIC_PREFIX, offset, missing, seed + offset])
    inserted = time.perf_counter() - started
    assigned = enterprises_assign_cells()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE enterprises_enterprise")
    return {"added": missing, "insert_s": inserted, "assign_s": time.perf_counter() - started - inserted,
            "outside_cells": len(assigned.outside)}


def geojson_points(suite, sizes=((10_000, "10k"), (100_000, "100k"))) -> dict:

    from layers.registry import get_layer

    layer = get_layer("enterprises")
    # Start from the sample alone, so that each size below is exactly what is measured.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enterprises_enterprise WHERE credit_code LIKE %s", [SYNTHETIC_PREFIX + "%"])
        cursor.execute("VACUUM ANALYZE enterprises_enterprise")
    rows = {}
    for size, label in sizes:
        # The database holds exactly `size` enterprises while this size is measured.
        top_up_enterprises(size)
        raw, endpoint, drf_gis = geojson_contenders(layer, suite.client, suite.user)

        repeat = 5 if size <= 10_000 else 3
        t_raw, t_api = median_ms(raw, repeat=repeat), median_ms(endpoint, repeat=repeat)
        t_drf = median_ms(drf_gis, repeat=1 if size > 10_000 else 3, warmup=0)
        features = len(json.loads(endpoint())["features"])
        rows[label] = {"features": features, "raw_sql_ms": t_raw, "endpoint_ms": t_api, "drf_gis_ms": t_drf,
                       "endpoint_vs_raw": ratio(t_api, t_raw), "drf_gis_vs_endpoint": ratio(t_drf, t_api)}
    return rows


REASSIGN_TURNS = 3


def reassign(suite) -> dict:
    """All enterprises to their cells: the service (a parallel join, then one UPDATE) vs the
    single raw UPDATE vs geopandas end to end."""
    import geopandas as gpd
    import shapely

    from gridmap.enterprises.services import ASSIGN_CELLS_SQL, enterprises_assign_cells

    def clear():
        """Every enterprise without a cell, and the same start for each contender: a million
        updated rows write gigabytes of WAL, and a checkpoint falling inside one timed run
        but not another decided the comparison before."""
        with connection.cursor() as cursor:
            cursor.execute("UPDATE enterprises_enterprise SET cell_id = NULL")
            cursor.execute("VACUUM ANALYZE enterprises_enterprise")
            cursor.execute("CHECKPOINT")

    def service():
        enterprises_assign_cells()

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute(ASSIGN_CELLS_SQL.format(only_p="", only_src=""))

    def frame(sql: str, columns: list[str]) -> gpd.GeoDataFrame:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            records = cursor.fetchall()
        data = {name: [r[i] for r in records] for i, name in enumerate(columns)}
        return gpd.GeoDataFrame(data, geometry=shapely.from_wkb([bytes(r[-1]) for r in records]), crs=4326)

    def geopandas():
        started = time.perf_counter()
        points = frame("SELECT id, ST_AsBinary(location) FROM enterprises_enterprise", ["id"])
        cells = frame("SELECT id, code, ST_AsBinary(geom) FROM grids_grid WHERE level = 2", ["cell_id", "code"])
        read_s = time.perf_counter() - started
        joined = gpd.sjoin(points, cells, how="left", predicate="within")
        joined = joined.sort_values("code").drop_duplicates("id")
        sjoin_s = time.perf_counter() - started - read_s
        buffer = io.StringIO()
        joined[["id", "cell_id"]].dropna().astype({"cell_id": "int64"}).to_csv(buffer, sep="\t", header=False,
                                                                              index=False)
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_cells (id bigint, cell_id bigint)")
            with cursor.copy("COPY bench_cells FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            cursor.execute("UPDATE enterprises_enterprise e SET cell_id = b.cell_id FROM bench_cells b "
                           "WHERE e.id = b.id")
            cursor.execute("DROP TABLE bench_cells")
        return read_s, sjoin_s

    count = enterprise_count()
    # Contenders in turns, the best of each kept: a checkpoint (a million rows write gigabytes
    # of WAL) falling inside one run moves it by ±10 s.
    times = {"service": [], "raw": [], "geopandas": []}
    for _ in range(REASSIGN_TURNS):
        for name, contender in (("service", service), ("raw", raw), ("geopandas", geopandas)):
            clear()
            started = time.perf_counter()
            parts = contender()
            times[name].append(time.perf_counter() - started)
            if parts:
                read_s, sjoin_s = parts
    t_service, t_raw, t_geopandas = (min(times[n]) for n in ("service", "raw", "geopandas"))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE enterprises_enterprise")
    return {"enterprises": count, "service_s": t_service, "raw_sql_s": t_raw, "geopandas_total_s": t_geopandas,
            "geopandas_read_s": read_s, "geopandas_sjoin_s": sjoin_s,
            "service_vs_raw": ratio(t_service, t_raw), "geopandas_vs_service": ratio(t_geopandas, t_service),
            "turns_s": times}


def bulk_import(suite, csv_path: Path) -> dict:
    """Rows/s: the importer (validation, COPY into a staging table, one upsert) vs ORM bulk_create."""
    from django.contrib.gis.geos import Point
    from django.db import transaction

    from gridmap.enterprises.importer import enterprises_import
    from gridmap.enterprises.models import Enterprise

    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))

    class Rollback(Exception):
        pass

    def free_the_sample():
        """Inside the rolled-back transaction: empty the records that keep the sample's
        enterprises (inspections, documents…), so both contenders can write them anew."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
                           "WHERE contype = 'f' AND confrelid = 'enterprises_enterprise'::regclass")
            tables = [row[0] for row in cursor.fetchall()]
            if tables:
                cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        Enterprise.objects.filter(credit_code__in=[r["credit_code"] for r in rows]).delete()

    def fresh_import():
        try:
            with transaction.atomic():
                free_the_sample()
                enterprises_import(path=csv_path)
                raise Rollback
        except Rollback:
            pass

    def orm():
        try:
            with transaction.atomic():
                free_the_sample()
                Enterprise.objects.bulk_create([Enterprise(
                    name=r["name"], credit_code=r["credit_code"], address=r["address"],
                    location=Point(float(r["lon"]), float(r["lat"]), srid=4326), industry_code=r["industry_code"],
                    industry_name=r["industry_name"], supervision_class=r["supervision_class"], status=r["status"],
                    district_code="120118") for r in rows], batch_size=2000)
                raise Rollback
        except Rollback:
            pass

    try:
        t_import = median_ms(fresh_import, repeat=3) / 1000
        t_orm = median_ms(orm, repeat=3) / 1000
    except Exception as exc:  # reported, not hidden: the importer may refuse synthetic data
        return {"error": repr(exc)}
    return {"rows": len(rows), "importer_rows_per_s": len(rows) / t_import, "orm_rows_per_s": len(rows) / t_orm,
            "importer_s": t_import, "orm_bulk_create_s": t_orm, "importer_vs_orm_speed": ratio(t_orm, t_import)}
