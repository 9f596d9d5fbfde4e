"""Duty changes at province scale: what one change of who is on duty costs each web process
(`python -m bench.duty`; DATABASE_URL: a scratch database, migrated: its grids and
assignments are replaced by the province's).

50,000 level-II cells (bench/province.py) with one officer each (5,000 officers, 10 cells
apiece). Measured in one process: the point lookup's cells built cold, and rebuilt after one
duty changed (the versions of grids_gridassignment changed, the shapes are kept), the memory
the built index holds, and one user's scope read again (each user's remembered scope is
dropped by any change of assignments). Written into bench/RESULTS.md."""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
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

    rebuilds, scopes = [], []
    for turn in range(3):
        # One duty changes hands: the assignment's version changes in every process.
        assignment = GridAssignment.objects.filter(grid__level=2).order_by("id")[turn]
        GridAssignment.objects.filter(pk=assignment.pk).update(
            user=officers[(turn * 7 + 1) % OFFICERS], valid_from=today - dt.timedelta(days=1))
        versions.forget()
        t = time.perf_counter()
        index = cell_index.build(today, index)
        rebuilds.append(time.perf_counter() - t)
        t = time.perf_counter()
        scope.assigned_codes(officers[turn].pk, today)
        scopes.append((time.perf_counter() - t) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM grids_grid WHERE level >= 2")
        cell_count = cursor.fetchone()[0]
    rows = [
        f"| level-II cells / officers / assignments | {cell_count:,} / {OFFICERS:,} / {len(cells):,} |",
        f"| lookup's cells built cold (shapes, raster, answers), s | {cold:.1f} |",
        f"| rebuilt after one duty change (shapes kept), s, median of 3 | {statistics.median(rebuilds):.1f} |",
        f"| memory the built index holds in the process, MB | {held:.0f} |",
        f"| one user's scope read again after the change, ms, median of 3 | {statistics.median(scopes):.1f} |",
    ]
    section = "\n".join([
        "## Duty changes at province scale (issue 20, `python -m bench.duty`)", "",
        "One change of who is on duty changes the data version of grids_gridassignment. Every web "
        "process then rebuilds, at its next lookup, the point lookup's answers (the shapes are kept: "
        "only the answers are read again), forgets every user's remembered scope and every kept tile "
        "of a layer made of assignments (the grids with their officers). Measured in one process on "
        "the 2-core machine shared with other work.", "",
        "| figure | province |", "|---|---|", *rows, ""])
    results = BENCH_DIR / "RESULTS.md"
    text = results.read_text(encoding="utf-8")
    text = re.sub(r"## Duty changes at province scale.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip()
    results.write_text(text + "\n\n" + section, encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
