"""Today's point lookup before and after a boundary generation (issue 22), in the same run.

The sample district is loaded into the benchmark's own database (dropped and made again, so
that "before" is always one generation); today's lookup is timed through the WSGI
application with a token (the hot path); then every cell of one town is split in two by an
import valid from 30 days ago (closed rows stay in grids_grid), and the same lookups are
timed again. The lookup of a past day (`on=`, answered in SQL) is timed for reference.

    python -m bench.generations [--db gridmap_bench_generations]

Writes the "Point lookup through boundary generations" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import django

from bench.run import write_section

SECTION = "## Point lookup through boundary generations (issue 22)"
TOWN = "120118108"  # 大邱庄镇
POINTS = 200
ROUNDS = 5


def split_town(folder: Path) -> Path:
    """Every open level-II cell of TOWN, as stored, cut in two at its centroid's longitude, as
    a grid file."""
    import geopandas as gpd
    import shapely

    from gridmap.grids.models import Grid

    rows, shapes = [], []
    for cell in Grid.objects.current().filter(parent__code=TOWN, level=2).order_by("code"):
        geometry = shapely.from_wkb(bytes(cell.geom.wkb))
        minx, miny, maxx, maxy = geometry.bounds
        middle = geometry.centroid.x
        for suffix, box in (("1", shapely.box(minx - 1, miny - 1, middle, maxy + 1)),
                            ("2", shapely.box(middle, miny - 1, maxx + 1, maxy + 1))):
            piece = geometry.intersection(box)
            rows.append({"code": f"{cell.code}-{suffix}", "name": f"{cell.name}{suffix}", "level": 2,
                         "parent": TOWN, "kind": cell.kind})
            shapes.append(shapely.MultiPolygon([g for g in getattr(piece, "geoms", [piece])
                                                if g.geom_type == "Polygon"]))
    path = folder / "split.shp"
    gpd.GeoDataFrame(rows, geometry=shapes, crs="EPSG:4326").to_file(path, engine="pyogrio", encoding="UTF-8")
    return path


def timed_lookups(points, headers, extra: str = "") -> float:
    """Median per lookup (ms) over ROUNDS rounds of every point, each answered 200."""
    from bench.timing import median_ms, wsgi_get

    def one_round():
        for lon, lat in points:
            status, body = wsgi_get(f"/api/grids/lookup/?lon={lon:.6f}&lat={lat:.6f}{extra}", headers)
            assert status.startswith("200"), (status, body[:200])

    return median_ms(one_round, repeat=ROUNDS) / len(points)


def run() -> dict:
    from django.utils import timezone

    from bench.run import interior_points
    from gridmap.accounts.models import User
    from gridmap.accounts.services import device_token_create
    from gridmap.grids import cell_index
    from gridmap.grids.loader import import_grids
    from gridmap.grids.models import Grid

    token = device_token_create(user=User.objects.get(username="supervisor"), name="bench-generations")[1]
    headers = {"Authorization": f"Token {token}"}
    points = interior_points(POINTS)
    today = timezone.localdate()
    past = (today - dt.timedelta(days=60)).isoformat()
    cell_index.warm()
    before = timed_lookups(points, headers)
    before_on = timed_lookups(points, headers, f"&on={past}")
    rows_before = Grid.objects.count()

    with tempfile.TemporaryDirectory() as folder:
        # The loader measures slivers on the spheroid: a cut along a meridian adds vertices on
        # the cells' edges, and the planar cut's hair-thin slivers measure tens of m² there
        # (the town's sum: about 111 m², over the default 100 m² tolerance).
        report = import_grids(split_town(Path(folder)), valid_from=today - dt.timedelta(days=30),
                              tolerance_m2=1_000)
    cell_index.forget()
    cell_index.warm()
    after = timed_lookups(points, headers)
    after_on = timed_lookups(points, headers, f"&on={past}")
    return {"load_average": os.getloadavg()[0], "points": len(points), "rounds": ROUNDS,
            "rows_before": rows_before, "rows_after": Grid.objects.count(),
            "closed": len(report.closed), "opened": len(report.opened),
            "today_before_ms": before, "today_after_ms": after, "today_ratio": after / before,
            "on_before_ms": before_on, "on_after_ms": after_on, "on_ratio": after_on / before_on,
            "on_vs_today": after_on / after}


def write(result: dict) -> None:
    lines = ["",
             f"`python -m bench.generations`: {result['points']} points inside level-II cells, each looked up "
             "through the WSGI application with a token (the hot path), median per lookup over "
             f"{result['rounds']} rounds; then every cell of one town is split in two by an import valid from 30 days "
             f"ago ({result['closed']} cells closed, {result['opened']} opened; grids_grid from "
             f"{result['rows_before']} to {result['rows_after']} rows) and the same lookups are timed again, "
             "in the same run. Load average when it ended: "
             f"{result['load_average']:.1f} on {os.cpu_count()} CPUs.", "",
             "| figure | value |", "|---|---|",
             f"| today's lookup, one generation, ms | {result['today_before_ms']:.3f} |",
             f"| today's lookup, after the new generation, ms | {result['today_after_ms']:.3f} |",
             f"| after / before (today) | {result['today_ratio']:.2f} |",
             f"| lookup `on` a past day (SQL), one generation, ms | {result['on_before_ms']:.3f} |",
             f"| lookup `on` a past day (SQL), after, ms | {result['on_after_ms']:.3f} |",
             f"| after / before (`on`) | {result['on_ratio']:.2f} |",
             f"| `on` / today (after) | {result['on_vs_today']:.2f} |", "",
             "Today's lookup stays in memory (the index holds the generation valid today only, and the "
             "token fast path is the same), so before and after differ by noise only: the machine is "
             "shared, and a ratio below 1 is that noise, not a gain. A lookup `on` a day goes to SQL "
             "(the cell of that day, then its answer with the officers of that day).", ""]
    write_section(SECTION, lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="gridmap_bench_generations")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.db import connection

    from bench.run import prepare_database
    from gridmap.demo.sample import sample_load

    # Made again each run: "before" is the sample's one generation.
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    prepare_database(args.db)
    sample_load(log=lambda *args: None)
    result = run()
    print(json.dumps(result, indent=2))
    write(result)


if __name__ == "__main__":
    main()
