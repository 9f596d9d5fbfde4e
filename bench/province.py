"""A province-sized synthetic grid for benchmarks: ≥ 50,000 level-II cells in ~1,000
level-I grids, written by COPY straight into grids_grid (bench data skips the importer).

The cells are a Voronoi partition of random seeds over a 400 × 450 km box south of Beijing;
the level-I grids are unions of neighbouring cells, so the nesting is exact.
"""

from __future__ import annotations

import io
import time

import numpy as np
import shapely
from django.db import connection, transaction

ROOT_CODE = "13"
BOX = (114.0, 36.0, 118.6, 40.0)


def generate(cells: int = 50_000, towns: int = 1_000, seed: int = 20191) -> dict:
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    box = shapely.box(*BOX)
    seeds = shapely.points(rng.uniform(BOX[0], BOX[2], cells), rng.uniform(BOX[1], BOX[3], cells))
    polygons = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box))
    polygons = shapely.intersection(polygons, box)
    centroids = shapely.centroid(polygons)
    town_seeds = np.column_stack([rng.uniform(BOX[0], BOX[2], towns), rng.uniform(BOX[1], BOX[3], towns)])
    xy = shapely.get_coordinates(centroids)
    # Each cell joins the nearest town seed: towns are unions of whole cells.
    nearest = np.argmin(((xy[:, None, :] - town_seeds[None, :, :]) ** 2).sum(axis=2), axis=1)
    towns_used = np.unique(nearest)
    town_shapes = {t: shapely.union_all(polygons[nearest == t]) for t in towns_used}
    return {"polygons": polygons, "nearest": nearest, "towns": town_shapes, "box": box,
            "seconds": time.perf_counter() - started}


def _copy(cursor, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(row) + "\n")
    buffer.seek(0)
    with cursor.copy("COPY grids_grid (code, name, level, kind, parent_id, district_code, geom, area_m2, "
                     "updated_at, valid_from) FROM STDIN") as copy:
        while data := buffer.read(1 << 20):
            copy.write(data)


def load(data: dict) -> dict:
    """Replace every grid by the province; returns counts and seconds."""
    started = time.perf_counter()

    def multi_hex(geom):
        if geom.geom_type == "Polygon":
            geom = shapely.MultiPolygon([geom])
        return shapely.to_wkb(geom, hex=True, include_srid=False)

    from gridmap.grids.models import FIRST_GENERATION

    # The province is the first generation of grids (valid since FIRST_GENERATION, open-ended).
    valid_from = FIRST_GENERATION.isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE grids_grid, grids_gridassignment RESTART IDENTITY CASCADE")
        cursor.execute(
            "INSERT INTO grids_grid (code, name, level, kind, parent_id, district_code, geom, area_m2, updated_at, "
            "valid_from) VALUES (%s, '示例省', 0, '省', NULL, %s, ST_Multi(ST_GeomFromWKB(%s, 4326)), 0, now(), %s)"
            " RETURNING id", [ROOT_CODE, ROOT_CODE, shapely.to_wkb(data["box"]), FIRST_GENERATION])
        root_id = cursor.fetchone()[0]
        town_codes = {t: f"{ROOT_CODE}{t:05d}" for t in data["towns"]}
        _copy(cursor, ([town_codes[t], f"乡镇{t}", "1", "镇", str(root_id), ROOT_CODE,
                        f"SRID=4326;{multi_hex(shape)}", "0", "now", valid_from]
                       for t, shape in data["towns"].items()))
        cursor.execute("SELECT code, id FROM grids_grid WHERE level = 1")
        town_ids = dict(cursor.fetchall())
        counters: dict[int, int] = {}

        def cell_rows():
            for polygon, town in zip(data["polygons"], data["nearest"], strict=True):
                counters[town] = counters.get(town, 0) + 1
                code = f"{town_codes[town]}-{counters[town]:03d}"
                yield [code, f"网格{code[-9:]}", "2", "村", str(town_ids[town_codes[town]]), ROOT_CODE,
                       f"SRID=4326;{multi_hex(polygon)}", "0", "now", valid_from]

        _copy(cursor, cell_rows())
        cursor.execute("UPDATE grids_grid SET area_m2 = ST_Area(geom::geography)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE grids_grid")
        cursor.execute("SELECT level, count(*) FROM grids_grid GROUP BY level ORDER BY level")
        counts = dict(cursor.fetchall())
    return {"counts": counts, "seconds": time.perf_counter() - started}
