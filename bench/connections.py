"""Database connections held by the server under load, with and without Django's connection
pool: `python -m bench.connections` (DATABASE_URL: a database with the sample district).

For each setting, one granian server (`--workers W --threads T`) takes 32 concurrent clients
(wrk, loopback, LOADTEST_SECONDS each, 15 by default) on `make loadtest`'s mix without its
token logins (point lookups, level-II tiles, layer GeoJSON), while the database's
pg_stat_activity is sampled every 50 ms; the most connections seen, the throughput and p95
go into bench/RESULTS.md."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import django

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DURATION, CLIENTS = int(os.environ.get("LOADTEST_SECONDS", "15")), 32
WORKERS, THREADS = 2, 8
SETTINGS = [("每线程一个持久连接（无连接池）", "0"), ("连接池 max_size=2", "2"), ("连接池 max_size=4", "4")]


def connections_now(cursor) -> int:
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
    return cursor.fetchone()[0]


def run(pool_size: str, lines: list[str], token: str) -> dict:
    from django.db import connection

    from bench.run import free_port, wait_for_port

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "GRIDMAP_DB_POOL_SIZE": pool_size}
    with connection.cursor() as cursor:
        before = connections_now(cursor)
    server = subprocess.Popen(
        [sys.executable, "-m", "gridmap.server", "--port", str(port), "--log-level", "warning",
         "--workers", str(WORKERS), "--threads", str(THREADS)], cwd=ROOT, env=env, start_new_session=True)
    most, stop = [0], threading.Event()

    def sample():
        with connection.cursor() as cursor:
            while not stop.is_set():
                most[0] = max(most[0], connections_now(cursor) - before)
                time.sleep(0.05)

    try:
        wait_for_port(port)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(lines))
        sampler = threading.Thread(target=sample)
        sampler.start()
        result = subprocess.run(
            ["wrk", "-t2", f"-c{CLIENTS}", f"-d{DURATION}s", "--timeout", "10s",
             "-s", str(BENCH_DIR / "wrk_requests.lua"), "-H", f"Authorization: Token {token}",
             f"http://127.0.0.1:{port}", "--", handle.name],
            capture_output=True, text=True, timeout=DURATION + 60)
        stop.set()
        sampler.join()
        os.unlink(handle.name)
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    figures = json.loads([x for x in result.stdout.splitlines() if x.startswith("{")][-1])
    return {**figures, "connections": most[0]}


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from bench.run import interior_points, tile_of
    from gridmap.accounts.services import device_token_create

    user = get_user_model().objects.get(username="supervisor")
    token = device_token_create(user=user, name="bench-connections")[1]
    rng = random.Random(7)
    points = interior_points(500)
    lines = []
    for _ in range(1000):
        kind, (lon, lat) = rng.random(), rng.choice(points)
        if kind < 0.5:
            lines.append(f"GET /api/grids/lookup/?lon={lon:.6f}&lat={lat:.6f}")
        elif kind < 0.8:
            z, x, y = tile_of(lon, lat, rng.choice([10, 12, 14]))
            lines.append(f"GET /tiles/grids-level2/{z}/{x}/{y}.mvt")
        else:
            lines.append(f"GET /api/layers/{rng.choice(['rivers', 'district', 'grids-level1'])}.geojson")
    rows = []
    for label, size in SETTINGS:
        figures = run(size, lines, token)
        print(label, figures, flush=True)
        rows.append(f"| {label} | {figures['connections']} | {figures['rps']:,.0f} | {figures['p95_ms']:.1f} | "
                    f"{figures['errors']} |")
    section = "\n".join([
        "## Database connections under load (issue 20, `python -m bench.connections`)", "",
        f"One granian server, {WORKERS} workers × {THREADS} threads, {CLIENTS} clients for {DURATION} s "
        "(wrk, loopback) on `make loadtest`'s mix without its token logins (lookups, level-II tiles, "
        "layer GeoJSON); the most client connections to the database seen in pg_stat_activity "
        "(sampled every 50 ms). Without a pool each thread keeps its own connection "
        "(workers × threads); with `GRIDMAP_DB_POOL_SIZE` each worker process shares at most that many "
        "among its threads, so a cluster needs (pool × workers + job workers) × nodes < max_connections. "
        "Measured on the 2-core machine shared with other work: req/s and p95 are noisy here, the "
        "connection counts are the figures that matter (one more than pool × workers: a worker's "
        "start-up connection for the point lookup's cells).", "",
        "| setting | connections (most) | req/s | p95 ms | errors |", "|---|---|---|---|---|", *rows, ""])
    results = BENCH_DIR / "RESULTS.md"
    text = results.read_text(encoding="utf-8")
    text = re.sub(r"## Database connections under load.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip()
    results.write_text(text + "\n\n" + section, encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
