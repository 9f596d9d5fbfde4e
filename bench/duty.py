"""Duty changes at province scale: what one change of who is on duty costs each web process
(`python -m bench.duty`; DATABASE_URL: a scratch database, migrated: its grids and
assignments are replaced by the province's).

50,000 level-II cells (bench/province.py) with one officer each (5,000 officers, 10 cells
apiece). Measured in one process: the point lookup's cells built cold; after one duty
changed (the version of grids_gridassignment changed), the index brought up to date as it
is now (only the cells whose officers' digest changed are read again) against, in the same
run, the full rebuild as it was before (every answer read again by two subqueries per cell,
every shape read and compared: `rebuild_as_before`) and a full read of the answers by
today's set-based query (what a change of grids that keeps the shapes costs); that the three
give the same answers for every cell; the memory the built index holds; one user's scope
read again (each user's remembered scope is dropped by any change of assignments). Written
into bench/RESULTS.md."""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as dt
import gc
import hashlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

import django

BENCH_DIR = Path(__file__).resolve().parent
OFFICERS, CELLS_EACH = 5_000, 10


def rss_mb() -> float:
    """Resident memory after a full collection, with the freed heap handed back to the system
    (glibc keeps it otherwise, and the build's temporaries would count as held)."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rebuild_as_before(day: dt.date, previous):
    """The rebuild after a change of duty as cell_index.build did it before the incremental
    update (the baseline): every cell's geometry and both answers read again, the answers by
    the reference's subqueries (two per answer), the shapes kept when their digest matched."""
    from django.db import connection

    from gridmap.core import versions
    from gridmap.grids.cell_index import ANSWER_TABLES, CellIndex, CellShapes
    from gridmap.grids.selectors import CELL_ANSWER_JSON, CELL_ANSWER_NAMES_JSON, VALID_ON_SQL

    token = versions.of(ANSWER_TABLES, versions.refresh())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ST_AsBinary(c.geom), {CELL_ANSWER_JSON}::text, {CELL_ANSWER_NAMES_JSON}::text,"
            " ARRAY[c.code, up1.code, up2.code] FROM grids_grid c"
            " LEFT JOIN grids_grid up1 ON up1.id = c.parent_id LEFT JOIN grids_grid up2 ON up2.id = up1.parent_id"
            f" WHERE c.level >= 2 AND {VALID_ON_SQL} ORDER BY c.level DESC, c.code", {"day": day})
        rows = cursor.fetchall()
    wkbs = [bytes(row[0]) for row in rows]
    shapes = previous.shapes
    if shapes.digest != hashlib.sha1(b"".join(wkbs), usedforsecurity=False).hexdigest():
        shapes = CellShapes(wkbs)
    return CellIndex(token=token, day=day, shapes=shapes, answers=tuple(row[1] for row in rows),
                     day_ends_at=previous.day_ends_at, name_answers=tuple(row[2] for row in rows),
                     lineages=tuple(frozenset(code for code in row[3] if code) for row in rows))


def lookups_while_updating(index, officers, today: dt.date) -> dict:
    """The process's index (cell_index._Holder) is stale after a duty change; one thread
    brings it up to date while this one looks points up through the same holder: the
    slowest of those lookups (they answer from today's index as it was, without waiting)."""
    import threading

    import numpy as np
    import shapely
    from django.db import connection

    from gridmap.core import versions
    from gridmap.grids import cell_index
    from gridmap.grids.models import GridAssignment

    holder = cell_index._Holder()
    holder.index = index
    points = shapely.get_coordinates(shapely.centroid(index.shapes.shapes[::50]))
    assignment = GridAssignment.objects.filter(grid__level=2).order_by("id")[3]
    GridAssignment.objects.filter(pk=assignment.pk).update(user=officers[11])
    versions.forget()

    def update():
        try:
            holder.current()
        finally:
            connection.close()

    updating = threading.Thread(target=update)
    versions.current(pin=False)  # this thread has read the new versions too
    updating.start()
    while not holder.lock.locked() and updating.is_alive():
        time.sleep(0.001)
    took = []
    while updating.is_alive():
        lon, lat = points[len(took) % len(points)]
        t = time.perf_counter()
        holder.current().answer(float(lon), float(lat))
        took.append(time.perf_counter() - t)
    updating.join()
    assert holder.index is not index and took
    return {"slowest_ms": max(took) * 1000, "median_ms": float(np.median(took)) * 1000, "count": len(took)}


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridmap.settings.dev")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.province import generate, load
    from gridmap.core import versions
    from gridmap.grids import cell_index, scope
    from gridmap.grids.models import Grid, GridAssignment
    from gridmap.grids.selectors import OFFICERS_DIGESTS_SQL

    User = get_user_model()
    prepared = (Grid.objects.filter(level=2).count() >= 50_000
                and GridAssignment.objects.filter(user__username__startswith="duty-officer-").count() >= 50_000)
    if not prepared:  # the province and its officers, once per scratch database
        started = time.perf_counter()
        loaded = load(generate())
        print("province loaded", loaded, round(time.perf_counter() - started, 1), "s", flush=True)
        with transaction.atomic():
            User.objects.filter(username__startswith="duty-officer-").delete()
            User.objects.bulk_create([User(username=f"duty-officer-{i}", full_name=f"网格员{i}",
                                           phone=f"1390000{i:04d}") for i in range(OFFICERS)], batch_size=5_000)
            officers = list(User.objects.filter(username__startswith="duty-officer-").order_by("id"))
            cells = list(Grid.objects.filter(level=2).order_by("code").values_list("id", "district_code"))
            GridAssignment.objects.bulk_create([
                GridAssignment(user=officers[i // CELLS_EACH % OFFICERS], grid_id=cell_id, district_code=district,
                               role=GridAssignment.Duty.CELL_OFFICER)
                for i, (cell_id, district) in enumerate(cells)], batch_size=10_000)
    officers = list(User.objects.filter(username__startswith="duty-officer-").order_by("id"))
    cells = list(Grid.objects.filter(level=2).values_list("id", flat=True))
    today = timezone.localdate()
    before = rss_mb()
    t = time.perf_counter()
    index = cell_index.build(today)
    cold = time.perf_counter() - t
    held = rss_mb() - before

    updates, befores, full_reads, scopes, same = [], [], [], [], True
    for turn in range(3):
        # One duty changes hands: the assignment's version changes in every process.
        assignment = GridAssignment.objects.filter(grid__level=2).order_by("id")[turn]
        GridAssignment.objects.filter(pk=assignment.pk).update(
            user=officers[(turn * 7 + 1) % OFFICERS], valid_from=today - dt.timedelta(days=1))
        versions.forget()
        t = time.perf_counter()
        updated = cell_index.build(today, index)
        updates.append(time.perf_counter() - t)
        # The baseline, on the same data: the rebuild as it was before.
        t = time.perf_counter()
        as_before = rebuild_as_before(today, index)
        befores.append(time.perf_counter() - t)
        # Every answer read by today's query (as after a change of grids that kept the shapes).
        t = time.perf_counter()
        full = cell_index.build(today, dataclasses.replace(index, token=(None, *index.token[1:])))
        full_reads.append(time.perf_counter() - t)
        same = same and (updated.answers == full.answers == as_before.answers
                         and updated.name_answers == full.name_answers == as_before.name_answers
                         and updated.digests == full.digests and updated.shapes is index.shapes)
        index = updated
        t = time.perf_counter()
        scope.assigned_codes(officers[turn].pk, today)
        scopes.append((time.perf_counter() - t) * 1000)
    waits = lookups_while_updating(index, officers, today)
    digest_reads = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM grids_grid WHERE level >= 2")
        cell_count = cursor.fetchone()[0]
        for _ in range(3):  # the part of an update that reads the digests of every cell
            t = time.perf_counter()
            cursor.execute(OFFICERS_DIGESTS_SQL, {"day": today})
            cursor.fetchall()
            digest_reads.append((time.perf_counter() - t) * 1000)
    before_s, update_s = statistics.median(befores), statistics.median(updates)
    rows = [
        f"| level-II cells / officers / assignments | {cell_count:,} / {OFFICERS:,} / {len(cells):,} |",
        f"| lookup's cells built cold (shapes, raster, answers), s | {cold:.1f} |",
        "| after one duty change, rebuilt as before (baseline: every answer by two subqueries per cell, "
        f"every shape read and compared), s, median of 3 | {before_s:.2f} |",
        "| after one duty change, every answer read by the set-based query (as after a change of grids "
        f"that keeps the shapes), s, median of 3 | {statistics.median(full_reads):.2f} |",
        "| **after one duty change, brought up to date (digests compared, the changed cells' answers read), "
        f"s, median of 3** | **{update_s:.2f}** |",
        f"| the digests of every cell read alone (query and rows; after the turns), ms, median of 3 | "
        f"{statistics.median(digest_reads):.0f} |",
        f"| baseline / brought up to date | {before_s / update_s:.0f}x |",
        "| a lookup in another thread of the process while one brings the index up to date (answered "
        f"from the index as it was), ms, median / slowest of {waits['count']:,} | "
        f"{waits['median_ms']:.2f} / {waits['slowest_ms']:.0f} |",
        f"| the three give the same answers, every cell, every turn | {'yes' if same else 'NO'} |",
        f"| memory the built index holds in the process, MB | {held:.0f} |",
        f"| one user's scope read again after the change, ms, median of 3 | {statistics.median(scopes):.1f} |",
    ]
    section = "\n".join([
        "## Duty changes at province scale (issue 20, `python -m bench.duty`)", "",
        "One change of who is on duty changes the data version of grids_gridassignment. Every web "
        "process then brings, at its next lookup, the point lookup's answers up to date: it reads one "
        "digest of each cell's officers (an aggregate over the duties of the day, no JSON, no geometry) "
        "and reads again the answers of the cells whose digest changed, in one thread under the index "
        "lock, while its other threads answer from today's index as it was. It also forgets every "
        "user's remembered scope and every kept tile of a layer made of assignments (the grids with "
        "their officers). The baseline is the rebuild as it was before, measured in the same run on "
        "the same data (`rebuild_as_before`). Measured in one process on the 2-core machine shared "
        f"with other work (load average {os.getloadavg()[0]:.1f} when it ended).", "",
        "| figure | province |", "|---|---|", *rows, ""])
    results = BENCH_DIR / "RESULTS.md"
    text = results.read_text(encoding="utf-8")
    # In place (or at the end the first time).
    old = re.compile(r"## Duty changes at province scale.*?(?=\n## |\Z)", flags=re.S)
    if old.search(text):
        text = old.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section
    results.write_text(text, encoding="utf-8")
    print(section)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
