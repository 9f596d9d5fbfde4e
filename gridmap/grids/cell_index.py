"""Point lookup from memory: every cell's shape in a shapely STRtree, its answer ready.

The lookup (`/api/grids/lookup/`: every report, every "where am I") is the hottest request.
Its indexed SQL is fast, but the database round trip costs more than the rest of the
request, and on a small server the database shares the CPU with the web workers. So each
process keeps the cells, with the answer of each (parent, officers on duty today) built by
the same SQL parts as the reference lookup (selectors.CELL_ANSWER_JSON and
selectors.cell_answers_sql), twice: with the officers' usernames and phones for callers whose
scope holds the cell, and with their names only for everyone else, so that no request
filters an answer.

Freshness: triggers change the data version (core.DataVersion) of grids and assignments on
every write, and of users when a name, username, phone or active flag changes. A process
reads the versions at most every GRIDMAP_DATA_RECHECK_SECONDS and rebuilds when they, or
the day, have changed: an answer is at most that many seconds old. A process that has just
changed grids or assignments itself calls `forget()`, and the thread that did sees the
change at its next lookup.

A rebuild after a change of duty or of a user, or on a new day (grids unchanged, the same
cells valid), reads one digest of each cell's officers and reads again only the answers
whose digest changed: at province scale (50,000 cells) a quarter of a second instead of
seconds (bench/RESULTS.md, "Duty changes at province scale"). A change of grids reads every
cell again. Meanwhile the process's other threads answer from today's index as it was,
without waiting (a thread that has just called `forget()` waits for its change, and no one
answers from another day's index).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.db import connection
from django.utils import timezone

from gridmap.accounts.capabilities import SEE_DISTRICT
from gridmap.core import versions

from .scope import assigned_codes
from .selectors import OFFICERS_DIGESTS_SQL, VALID_ON_SQL, cell_answers_sql, with_point

# Side of a raster square, as a share of the typical cell's side.
RASTER_SQUARES_PER_CELL_SIDE = 8
# Squares are tested grown by this (degrees, ≈ 0.1 mm), so that rounding in finding a
# point's square can never put a point on a cell's border in a square counted as inside.
RASTER_MARGIN = 1e-9
# At most this many squares: a province's cells fill it (build time and memory per worker
# grow with it); with a quarter of it, a third of a province's lookups missed the raster and
# a lookup under load cost noticeably more (bench/RESULTS.md).
RASTER_MAX_SQUARES = 2_000_000


class CellShapes:
    """The cells' shapes in answer order: an STRtree for the exact test, and a raster of
    squares that each lie wholly inside one cell, which answers most points with no
    geometry at all (a few microseconds against tens)."""

    def __init__(self, wkbs: list[bytes]):
        self.digest = hashlib.sha1(b"".join(wkbs), usedforsecurity=False).hexdigest()
        self.shapes = shapely.from_wkb(np.array(wkbs, dtype=object))
        # Prepared: a point test on a cell of thousands of vertices is then a lookup in GEOS's
        # segment index instead of a walk around the ring.
        shapely.prepare(self.shapes)
        self.tree = shapely.STRtree(self.shapes)
        self.geos_lock = threading.Lock()
        self._raster()

    def _raster(self) -> None:
        self.raster = np.full((0, 0), -1, dtype=np.int32)
        self.candidates, self.candidates_start = np.zeros(0, dtype=np.int32), np.zeros(1, dtype=np.int64)
        self.origin, self.step = (0.0, 0.0), 1.0
        if len(self.shapes) == 0:
            return
        minx, miny, maxx, maxy = shapely.total_bounds(self.shapes)
        typical_side = float(np.sqrt(np.median(shapely.area(self.shapes))))
        step = max(typical_side / RASTER_SQUARES_PER_CELL_SIDE,
                   np.sqrt((maxx - minx) * (maxy - miny) / RASTER_MAX_SQUARES))
        if not step > 0:
            return
        columns, rows = int((maxx - minx) / step) + 1, int((maxy - miny) / step) + 1
        i, j = np.meshgrid(np.arange(columns), np.arange(rows))
        x0, y0 = minx + i.ravel() * step, miny + j.ravel() * step
        margin = RASTER_MARGIN
        squares = shapely.STRtree(shapely.box(x0 - margin, y0 - margin, x0 + step + margin, y0 + step + margin))
        # Squares in a cell's interior, borders included: no point of one is on a cell's border.
        cell, square = squares.query(self.shapes, predicate="contains_properly")
        raster = np.full(columns * rows, np.iinfo(np.int32).max, dtype=np.int64)
        # Nested cells (level III inside level II): the first in answer order wins...
        np.minimum.at(raster, square, cell)
        # ...but only where every cell touching the square holds all of it: a square only
        # partly in a level-III cell is left to the exact test.
        touching_cell, touching_square = squares.query(self.shapes, predicate="intersects")
        touching = np.bincount(touching_square, minlength=columns * rows)
        raster[(raster == np.iinfo(np.int32).max) | (touching != np.bincount(square, minlength=columns * rows))] = -1
        self.raster = raster.astype(np.int32).reshape(rows, columns)
        self.origin, self.step = (float(minx), float(miny)), float(step)
        # For the other squares, the cells touching each (by square, then in answer order):
        # the exact test looks at these few, not at the tree. A point's cell touches the
        # point's square even when rounding puts it in the next one: the squares are grown.
        by_square = np.lexsort((touching_cell, touching_square))
        self.candidates = touching_cell[by_square].astype(np.int32)
        self.candidates_start = np.concatenate(([0], np.cumsum(touching))).astype(np.int64)

    def position(self, lon: float, lat: float) -> int | None:
        """The answer position of the cell covering a point (the first if on a border)."""
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return None
        column, row = int((lon - self.origin[0]) // self.step), int((lat - self.origin[1]) // self.step)
        rows, columns = self.raster.shape
        if 0 <= row < rows and 0 <= column < columns:
            found = int(self.raster[row, column])
            if found >= 0:
                return found
            square = row * columns + column
            candidates = self.candidates[self.candidates_start[square]:self.candidates_start[square + 1]]
            if len(candidates) == 0:
                return None
        else:
            candidates = None
        # GEOS prepared geometries are not thread-safe (libgeos/geos#825) and shapely releases
        # the GIL: threads of one worker (the server's threads) take turns here.
        with self.geos_lock:
            if candidates is None:
                candidates = self.tree.query(shapely.Point(lon, lat))
            # For a point, "intersects" is "covered by": inside or on the border, as ST_Covers.
            hits = candidates[shapely.intersects_xy(self.shapes[candidates], lon, lat)]
        return int(hits.min()) if len(hits) else None


@dataclass(frozen=True)
class CellIndex:
    token: tuple[str | None, ...]
    day: dt.date
    shapes: CellShapes
    # In (level descending, code) order: among the cells covering a point (a point on a
    # shared border), the first wins, as in the SQL lookup.
    answers: tuple[str, ...]
    day_ends_at: float  # the next local midnight, as a Unix time
    # The same answers with the officers named only, and each cell's code and its ancestors'
    # (a scope holds a cell when it holds any of them: grids.scope).
    name_answers: tuple[str, ...] = ()
    lineages: tuple[frozenset[str], ...] = ()
    # Each cell's grid id, and (grid id, digest of its officers: selectors.OFFICERS_DIGEST_SQL)
    # of the cells with anyone on duty, each read with its answers: a change of duty reads
    # again only the answers whose digest changed.
    ids: tuple[int, ...] = ()
    digests: frozenset[tuple[int, int]] = frozenset()
    positions: dict[int, int] = dataclasses.field(default_factory=dict, compare=False)

    def answer(self, lon: float, lat: float) -> str | None:
        """The answer with contacts (the reference answer, for tests and benchmarks)."""
        position = self.shapes.position(lon, lat)
        return None if position is None else with_point(self.answers[position], lon, lat)

    def answer_for(self, user, lon: float, lat: float) -> str | None:
        """The answer as `user` may see it: contacts only for a cell in their scope."""
        position = self.shapes.position(lon, lat)
        if position is None:
            return None
        sees_contacts = SEE_DISTRICT.allows(user) or (
            user.is_active and not assigned_codes(user.pk, self.day).isdisjoint(self.lineages[position]))
        return with_point((self.answers if sees_contacts else self.name_answers)[position], lon, lat)


# The tables an answer is made of (their versions: core.DataVersion).
ANSWER_TABLES = ("grids_grid", "grids_gridassignment", "accounts_user")
_GRIDS = ANSWER_TABLES.index("grids_grid")


def _day_ends_at(day: dt.date) -> float:
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
    return midnight.timestamp()


def build(day: dt.date, previous: CellIndex | None = None) -> CellIndex:
    """Every cell (level ≥ 2) of the generation valid on `day` (the current one: the index is
    built for today) with its answers for `day`.

    With a `previous` index whose grids are still current (no write to grids_grid since, and
    the same cells valid on `day`), only the answers whose officers' digest changed are read
    again (a change of duty or of a user: a few cells; at province scale a quarter of a second,
    most of it the digests' aggregate); otherwise every cell is read in one query, and the
    shapes of `previous` are kept when no shape changed."""
    # The versions are read before the cells: a change committed in between makes the next
    # check rebuild once more, never keeps a stale index under a new version.
    token = versions.of(ANSWER_TABLES, versions.refresh())
    if previous is not None and previous.token[_GRIDS] == token[_GRIDS] and previous.ids:
        index = _update(day, previous, token)
        if index is not None:
            return index
    with connection.cursor() as cursor:
        cursor.execute(cell_answers_sql(geometry=True), {"day": day})
        rows = cursor.fetchall()
    wkbs = [bytes(row[0]) for row in rows]
    shapes = previous.shapes if previous is not None else None
    if shapes is None or shapes.digest != hashlib.sha1(b"".join(wkbs), usedforsecurity=False).hexdigest():
        shapes = CellShapes(wkbs)
    return CellIndex(token=token, day=day, shapes=shapes, answers=tuple(row[2] for row in rows),
                     day_ends_at=_day_ends_at(day), name_answers=tuple(row[3] for row in rows),
                     lineages=tuple(frozenset(code for code in row[4] if code) for row in rows),
                     ids=tuple(row[1] for row in rows), digests=frozenset((row[1], row[5]) for row in rows if row[5]),
                     positions={row[1]: at for at, row in enumerate(rows)})


def _update(day: dt.date, previous: CellIndex, token: tuple[str | None, ...]) -> CellIndex | None:
    """`previous` brought up to date for `day` when its cells are: the officers' digests of
    every cell read (one aggregate over the duties on `day`, no JSON), compared with those
    kept, and the answers read again for the cells whose digest differs. None when the
    cells valid on `day` are not those of `previous` (a generation begins or ends on a new
    day): the caller builds afresh.

    Sound across statements: each answer is kept with the digest read with it (one
    statement), so a change committed between the digests' read and the answers' leaves at
    worst a cell older than the other ones but not older than the versions read before (the
    next check reads again what then differs)."""
    with connection.cursor() as cursor:
        if day != previous.day:
            # The grids have not changed, but the generation valid on a new day may differ.
            cursor.execute(f"SELECT c.id FROM grids_grid c WHERE c.level >= 2 AND {VALID_ON_SQL}"
                           " ORDER BY c.level DESC, c.code", {"day": day})
            if tuple(row[0] for row in cursor.fetchall()) != previous.ids:
                return None
        cursor.execute(OFFICERS_DIGESTS_SQL, {"day": day})
        # The (cell, digest) pairs new or gone: a set difference, no loop over the cells in
        # Python (duties on grids the index does not hold left out).
        differ = previous.digests.symmetric_difference(cursor.fetchall())
        changed = list({cell for cell, _ in differ if cell in previous.positions})
        rows = []
        if changed:
            cursor.execute(cell_answers_sql("= ANY(%(ids)s)"), {"day": day, "ids": changed})
            rows = cursor.fetchall()
    if len(rows) != len(changed):  # a cell gone from the generation (a write the token missed)
        return None
    answers, name_answers = list(previous.answers), list(previous.name_answers)
    for cell, answer, name_answer, _lineage, _digest in rows:
        at = previous.positions[cell]
        answers[at], name_answers[at] = answer, name_answer
    # The digests read with the answers replace the changed cells' old ones.
    digests = (previous.digests - (differ & previous.digests)) | {(row[0], row[4]) for row in rows if row[4]}
    return dataclasses.replace(previous, token=token, day=day, day_ends_at=_day_ends_at(day), answers=tuple(answers),
                               name_answers=tuple(name_answers), digests=frozenset(digests))


class _Holder:
    """The process's index."""

    def __init__(self):
        self.index: CellIndex | None = None
        self.lock = threading.Lock()

    def current(self) -> CellIndex:
        index = self.index
        # Compared as a timestamp: building today's date on every lookup costs a tenth of it.
        today_s = index is not None and time.time() < index.day_ends_at
        if today_s and index.token == versions.of(ANSWER_TABLES, versions.current(pin=False)):
            _thread.wrote = False
            return index
        # While one thread brings the index up to date, the others answer from today's index
        # as it was (as another process does until its next check) instead of waiting; but a
        # thread that has just written (forget()) or reads inside a transaction waits to see
        # its change, and no one answers from another day's index.
        if not self.lock.acquire(
                blocking=not today_s or getattr(_thread, "wrote", False) or versions.in_transaction()):
            return index
        try:
            index, today = self.index, timezone.localdate()
            token = versions.of(ANSWER_TABLES, versions.current(pin=False))
            if index is None or index.day != today or index.token != token:
                index = self.index = build(today, index)
            _thread.wrote = False
            return index
        finally:
            self.lock.release()


_holder = _Holder()
# Per thread: it has written grids or duties (forget()) and not yet looked up since.
_thread = threading.local()


def cell_answer_json(lon: float, lat: float) -> str | None:
    """The lookup answer with contacts for a WGS84 point today (selectors.cell_at_point_json)."""
    return _holder.current().answer(lon, lat)


def cell_answer_json_for(user, lon: float, lat: float) -> str | None:
    """The lookup answer for a WGS84 point today as `user` may see it (CellIndex.answer_for)."""
    return _holder.current().answer_for(user, lon, lat)


def forget() -> None:
    """Compare versions on the next lookup (after this process changed grids or duty): this
    thread's next lookup waits for the index to show the change."""
    _thread.wrote = True
    versions.forget()


def warm() -> None:
    """Build the index before the first request (a worker's start-up)."""
    _holder.current()
