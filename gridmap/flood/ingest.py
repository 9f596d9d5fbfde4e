"""Readings arriving from the gauges' data loggers, the CSV upload and the storm replay: one
service, so every way in obeys the same rules.

A batch is written whole or not at all, in one INSERT … ON CONFLICT DO NOTHING: a reading of
a station at a time already stored is a retry and is stored once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from gridmap.accounts.capabilities import FEED_READINGS
from gridmap.core import versions

from .models import Reading, Station

MAX_BATCH = 10_000
# A logger's clock may run a little ahead; beyond this a time is a mistake.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
# Bounds no real reading reaches: millimetres of rain between two readings, metres of level.
VALUE_BOUNDS = {Station.Kind.RAIN: (0.0, 1000.0), Station.Kind.WATER_LEVEL: (-100.0, 1000.0)}


@dataclass(frozen=True)
class RowError:
    index: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}


class ReadingsRefused(Exception):
    """The batch had bad rows; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__("；".join(f"第 {e.index + 1} 行 {e.field}：{e.message}" for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class IngestResult:
    received: int
    created: int


def parse_time(value) -> dt.datetime:
    """An ISO 8601 time that says its offset from UTC (a bare local time is ambiguous)."""
    if not isinstance(value, str):
        raise ValueError("时间应为带时区的 ISO 8601 文本，如 2019-08-11T08:00:00+08:00")
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"时间“{value[:40]}”不是 ISO 8601 格式（如 2019-08-11T08:00:00+08:00）") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"时间“{value[:40]}”缺少时区（如 +08:00）")
    return moment


def _parse_value(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("数值应为数字")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValueError(f"数值“{str(value)[:20]}”不是数字") from None
    if not math.isfinite(number):
        raise ValueError("数值应为有限数字")
    return number


def _checked(rows: Sequence, stations: dict[str, tuple[int, str]], now: dt.datetime):
    """(station ids, times, values) of the rows, or every problem found, by row and field."""
    ids, times, values, errors = [], [], [], []
    latest_allowed = now + FUTURE_TOLERANCE
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors.append(RowError(index, "readings", "每行应为对象 {station, time, value}"))
            continue
        found = {}
        code = row.get("station")
        if code in (None, ""):
            errors.append(RowError(index, "station", "缺少测站编码"))
        elif not isinstance(code, str) or code not in stations:
            errors.append(RowError(index, "station", f"测站“{str(code)[:40]}”不存在"))
        else:
            found["station"] = stations[code]
        if row.get("time") in (None, ""):
            errors.append(RowError(index, "time", "缺少观测时间"))
        else:
            try:
                moment = parse_time(row["time"])
            except ValueError as exc:
                errors.append(RowError(index, "time", str(exc)))
            else:
                if moment > latest_allowed:
                    errors.append(RowError(index, "time", "观测时间晚于当前时间 10 分钟以上"))
                else:
                    found["time"] = moment
        if row.get("value") in (None, ""):
            errors.append(RowError(index, "value", "缺少数值"))
        else:
            try:
                found["value"] = _parse_value(row["value"])
            except ValueError as exc:
                errors.append(RowError(index, "value", str(exc)))
        if len(found) == 3:
            station_id, kind = found["station"]
            low, high = VALUE_BOUNDS[kind]
            if not low <= found["value"] <= high:
                unit = "毫米" if kind == Station.Kind.RAIN else "米"
                errors.append(RowError(index, "value",
                                       f"数值 {found['value']:g} 超出合理范围（{low:g}～{high:g} {unit}）"))
                continue
            ids.append(station_id)
            times.append(found["time"])
            values.append(found["value"])
    return ids, times, values, errors


INSERT_SQL = """
    INSERT INTO flood_reading (station_id, time, value, received_at)
    SELECT station_id, time, value, now()
    FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[]) AS r(station_id, time, value)
    ON CONFLICT (station_id, time) DO NOTHING"""


def readings_record(*, actor, rows: Sequence) -> IngestResult:
    """Store a batch of readings ({station: code, time: ISO 8601 with offset, value}).

    Raises ReadingsRefused (every bad row, by index and field) and writes nothing if any row
    is bad; PermissionDenied if the actor may not feed readings.
    """
    FEED_READINGS.require(actor)
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ReadingsRefused([RowError(0, "readings", "readings 应为数组")])
    if len(rows) > MAX_BATCH:
        raise ReadingsRefused([RowError(MAX_BATCH, "readings", f"一批最多 {MAX_BATCH} 条，收到 {len(rows)} 条")])
    # A code that cannot be stored (a NUL, too long) cannot name a station: it is simply not found.
    codes = {code for row in rows if isinstance(row, Mapping)
             for code in [row.get("station")] if isinstance(code, str) and "\x00" not in code and len(code) <= 32}
    stations = {code: (pk, kind) for code, pk, kind in
                Station.objects.filter(code__in=codes).values_list("code", "pk", "kind")}
    ids, times, values, errors = _checked(rows, stations, timezone.now())
    if errors:
        raise ReadingsRefused(errors)
    if not ids:
        return IngestResult(received=0, created=0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [ids, times, values])
        created = cursor.rowcount
    versions.forget()
    return IngestResult(received=len(rows), created=created)


def readings_remove(*, actor, start: dt.datetime, station_codes: Sequence[str]) -> int:
    """Remove the stations' readings from `start` on, so that a stretch replayed at its own
    times is the stations' latest again; returns how many were removed."""
    FEED_READINGS.require(actor)
    with transaction.atomic():
        removed, _ = Reading.objects.filter(station__code__in=list(station_codes), time__gte=start).delete()
    versions.forget()
    return removed
