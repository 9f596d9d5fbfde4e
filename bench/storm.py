"""Gauges in a storm, over loopback against the real server (gridmap.server):

- readings ingested per second through `POST /api/flood/readings/` in batches of 10,000,
  against a plain COPY of the same rows into the same table (the baseline, same run);
- the command map's refresh when nothing changed (`GET /api/flood/situation/` answered 304
  from the data versions) against the same refresh with a changed picture (200, the body
  built) and the framework's floor (a constant view).

    python -m bench.storm [--db gridmap_bench_storm]

Writes the "Storm: readings ingestion and the live map's refresh" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
import urllib.error
import urllib.request
from pathlib import Path

import django

from bench.run import bench_server, write_section

BATCHES = 5
BATCH = 10_000
REFRESHES = 200
QUERY_RUNS = 40

# The stations' state as it was computed before the view flood_stationstate (commit ecf1c98,
# gridmap/flood/gauges.py): scalar sub-selects on the station row, the latest reading and the
# 24 h rain sum read again in every column that needs them. Kept here, compiled as Django
# compiled it then (bench/storm_old_stations.sql), to measure the view against it in the same run on the same rows.
OLD_STATIONS_SQL = (Path(__file__).parent / "storm_old_stations.sql").read_text()
OLD_STATIONS_PARAMS = ("rain", "雨量站", "水位站", 86400.0, "normal", "正常", "warning", "24 小时暴雨", "danger",
                       "24 小时大暴雨", "normal", "正常", "warning", "超警戒", "danger", "超保证", 86400.0,
                       21600.0, 86400.0)
SECTION = "## Storm: readings ingestion and the live map's refresh"


def request(base: str, path: str, *, token: str, body: bytes | None = None, etag: str | None = None):
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    if etag:
        headers["If-None-Match"] = etag
    req = urllib.request.Request(f"{base}{path}", data=body, headers=headers, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, response.headers.get("ETag"), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("ETag"), exc.read()


def rows_for(codes: list[str], start: dt.datetime) -> list[dict]:
    """BATCHES × BATCH readings, one a minute per station, all in the past and none stored."""
    count = BATCHES * BATCH
    return [{"station": codes[i % len(codes)], "time": (start + dt.timedelta(minutes=i // len(codes))).isoformat(),
             "value": round(0.1 * (i % 7), 1)} for i in range(count)]


def timed(work, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def stations_queries(runs: int) -> dict:
    """The stations' state by the old sub-selects and by the view, alternately, on the same
    rows: medians in ms, and whether both give every station the same state and rain sum."""
    from django.db import connection

    from gridmap.flood.gauges import stations_with_state
    from gridmap.workspaces.flood.situation import STATION_PROPERTIES

    new_sql, new_params = stations_with_state().values("id", *STATION_PROPERTIES).query.sql_with_params()
    times = {"old": [], "new": []}
    rows = {}
    with connection.cursor() as cursor:
        for _ in range(runs):
            for name, sql, params in (("old", OLD_STATIONS_SQL, OLD_STATIONS_PARAMS), ("new", new_sql, new_params)):
                started = time.perf_counter()
                cursor.execute(sql, params)
                fetched = cursor.fetchall()
                times[name].append((time.perf_counter() - started) * 1000)
                columns = [c.name for c in cursor.description]
                keys = [columns.index(key) for key in ("code", "state", "rain_24h_mm", "latest_value")]
                rows[name] = sorted(tuple(r[k] for k in keys) for r in fetched)
    return {"old_ms": statistics.median(times["old"]), "new_ms": statistics.median(times["new"]),
            "same_answers": rows["old"] == rows["new"], "runs": runs}


def run() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from gridmap.accounts.services import device_token_create
    from gridmap.flood.models import Reading, Station

    gauge = get_user_model().objects.get(username="gauge")
    command = get_user_model().objects.get(username="flood")
    gauge_token = device_token_create(user=gauge, name="bench-storm")[1]
    command_token = device_token_create(user=command, name="bench-storm")[1]
    stations = dict(Station.objects.values_list("code", "pk"))
    # Eight days ago and on, a minute per station: in the past (the API refuses the future).
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=8)).replace(second=0, microsecond=0)
    rows = rows_for(sorted(stations), start)
    end = start + dt.timedelta(minutes=len(rows) // len(stations) + 1)

    def clear():
        Reading.objects.filter(time__gte=start, time__lte=end).delete()

    clear()
    with bench_server() as base:
        for _ in range(5):  # workers up, caches warm
            request(base, "/api/flood/situation/", token=command_token)
            request(base, "/bench/floor/", token=command_token)
        bodies = [json.dumps({"readings": rows[i:i + BATCH]}).encode() for i in range(0, len(rows), BATCH)]
        started = time.perf_counter()
        answers = [request(base, "/api/flood/readings/", token=gauge_token, body=body) for body in bodies]
        api_s = time.perf_counter() - started
        created = sum(json.loads(body)["created"] for status, _, body in answers if status == 200)
        statuses = sorted({status for status, _, _ in answers})
        again = request(base, "/api/flood/readings/", token=gauge_token, body=bodies[0])

        # The live map: unchanged (304), changed (200: the versions moved, the body is built), floor.
        status, etag, _ = request(base, "/api/flood/situation/", token=command_token)
        not_modified = timed(lambda: request(base, "/api/flood/situation/", token=command_token, etag=etag),
                             REFRESHES)
        refresh_status = request(base, "/api/flood/situation/", token=command_token, etag=etag)[0]
        full = timed(lambda: request(base, "/api/flood/situation/", token=command_token), REFRESHES // 4)
        body_bytes = len(request(base, "/api/flood/situation/", token=command_token)[2])
        # The part the readings change: the stations alone.
        stations_only = timed(lambda: request(base, "/api/flood/situation/?parts=stations", token=command_token),
                              REFRESHES // 4)
        # What the open map pays when a reading arrives: it names the parts it holds (known=),
        # so only those a reading touches (stations, the zones' states) are built and sent.
        after_reading = []
        reading_bytes = 0
        for i in range(REFRESHES // 4):
            _, tag, body = request(base, "/api/flood/situation/", token=command_token)
            known = ",".join(f"{name}:{value}" for name, value in json.loads(body)["tags"].items())
            one = {"station": rows[i]["station"], "time": (end + dt.timedelta(minutes=1 + i)).isoformat(), "value": 0.1}
            request(base, "/api/flood/readings/", token=gauge_token, body=json.dumps({"readings": [one]}).encode())
            time.sleep(1.1)  # the server's data versions are re-read at most every second
            started = time.perf_counter()
            _, _, body = request(base, f"/api/flood/situation/?known={known}", token=command_token, etag=tag)
            after_reading.append((time.perf_counter() - started) * 1000)
            reading_bytes = len(body)
        singles_end = end + dt.timedelta(minutes=REFRESHES // 4 + 2)
        floor = timed(lambda: request(base, "/bench/floor/", token=command_token), REFRESHES)

    stored_by_api = Reading.objects.filter(time__gte=start, time__lte=end).count()
    Reading.objects.filter(time__gt=end, time__lte=singles_end).delete()  # the single readings above
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE flood_reading")  # what autovacuum does after a storm's batches
    queries = stations_queries(QUERY_RUNS)
    clear()
    # The baseline: the same rows by COPY into the same table (its index, constraint, trigger).
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with cursor.cursor.copy("COPY flood_reading (station_id, time, value, received_at) FROM STDIN") as copy:
            now = dt.datetime.now(dt.UTC)
            for row in rows:
                copy.write_row((stations[row["station"]], row["time"], row["value"], now))
        copy_s = time.perf_counter() - started
    clear()
    return {"load_average": os.getloadavg()[0], "rows": len(rows), "batch": BATCH,
            "api_s": api_s, "api_rows_per_s": len(rows) / api_s, "copy_s": copy_s,
            "copy_rows_per_s": len(rows) / copy_s, "api_vs_copy": api_s / copy_s,
            "statuses": statuses, "created": created, "stored": stored_by_api,
            "retry": json.loads(again[2]) if again[0] == 200 else again[0],
            "refresh_status": refresh_status, "first_status": status,
            "not_modified_ms": statistics.median(not_modified), "full_ms": statistics.median(full),
            "floor_ms": statistics.median(floor), "body_bytes": body_bytes,
            "stations_only_ms": statistics.median(stations_only), "queries": queries,
            "after_reading_ms": statistics.median(after_reading), "after_reading_bytes": reading_bytes,
            "stations": len(stations)}


def write(result: dict) -> None:
    # Runs before the single readings were kept apart counted them with the batches.
    extra = (f" (with the {result['stored'] - result['created']} single readings of the refresh after a reading)"
             if result["stored"] > result["created"] else "")
    lines = ["",
             f"{result['rows']:,} readings of the sample's {result['stations']} stations POSTed to "
             f"`/api/flood/readings/` in batches of {result['batch']:,} over loopback (granian, `gridmap.server`), "
             "one batch after another, against a plain `COPY` of the same rows into the same table "
             "(baseline, same run). The map's refresh: `GET /api/flood/situation/` with the last ETag when "
             f"nothing changed (304), without it (200, {result['body_bytes']:,} bytes: every part built — stations, "
             "situation reports, dispatches, the district's open hazards, the zones' outlines and states — while "
             "the 50,000 minute readings just sent are stored, 1,440 a day per station), the stations part "
             "alone, and the refresh after a reading of a map that names the parts it holds (`known=`: only "
             "the stations and the zones' states are built and sent), "
             "and a constant view "
             f"(the floor), medians of sequential requests. The stations' state (what a reading changes): "
             "the view `flood_stationstate` (LATERAL latest reading and 24 h rain sum, once per station, "
             "index-only) against the old per-column sub-selects (kept in bench/storm_old_stations.sql), "
             f"alternately on the same rows, {result['queries']['runs']} runs each, after `VACUUM ANALYZE`. "
             f"Machine load average when it ended: {result['load_average']:.1f} on {os.cpu_count()} CPUs.", "",
             "| figure | value |", "|---|---|",
             f"| API: {result['rows']:,} rows, s | {result['api_s']:.2f} |",
             f"| API: rows/s | {result['api_rows_per_s']:,.0f} |",
             f"| COPY (baseline): s | {result['copy_s']:.2f} |",
             f"| COPY: rows/s | {result['copy_rows_per_s']:,.0f} |",
             f"| API time / COPY time | {result['api_vs_copy']:.1f} |",
             f"| statuses / rows created / stored | {result['statuses']} / {result['created']:,} / "
             f"{result['stored']:,}{extra} |",
             f"| the first batch again | {result['retry']} |",
             f"| refresh unchanged (304), ms | {result['not_modified_ms']:.2f} (status {result['refresh_status']}) |",
             f"| refresh changed (200, all parts), ms | {result['full_ms']:.2f} |",
             f"| refresh changed, stations part only, ms | {result['stations_only_ms']:.2f} |",
             f"| refresh after a reading, the map holding its parts (known=; {result['after_reading_bytes']:,} "
             f"bytes), ms | {result['after_reading_ms']:.2f} |",
             f"| stations' state, old sub-selects (SQL), ms | {result['queries']['old_ms']:.2f} |",
             f"| stations' state, view (SQL), ms | {result['queries']['new_ms']:.2f} |",
             f"| view / old | {result['queries']['new_ms'] / result['queries']['old_ms']:.3f} "
             f"(same answers: {result['queries']['same_answers']}) |",
             f"| floor (constant view), ms | {result['floor_ms']:.2f} |", ""]
    write_section(SECTION, lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="gridmap_bench_storm")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from bench.run import prepare_database
    from gridmap.demo.sample import sample_load
    from gridmap.flood.models import Station

    prepare_database(args.db)
    if not Station.objects.exists():
        sample_load(log=lambda *args: None)
    result = run()
    print(json.dumps(result, indent=2))
    write(result)


if __name__ == "__main__":
    main()
