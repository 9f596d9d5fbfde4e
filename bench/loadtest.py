"""`make loadtest`: 32 concurrent clients for 60 s (wrk, loopback only, stops by itself) on a
mix of token login, point lookups, layer GeoJSON and vector tiles against the server (granian); expects
zero errors and writes the figures into bench/RESULTS.md.

The mix signs one user in ~6 times a second, which stands for many users' sign-ins: the server
runs with the per-user limit on tokens issued (GRIDMAP_RATE_TOKENS_PER_HOUR) lifted, since the
limit is a policy for one person, not a capacity. The first WARM_UP_SECONDS of the same mix are
not counted: each thread's first database connection and the first answers of the kept tiles
and layers are start-up, not load."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DURATION, CONNECTIONS = int(os.environ.get("LOADTEST_SECONDS", "60")), 32
WARM_UP_SECONDS = 5


def cpu_ms_of(work, rounds: int = 5) -> float:
    """The median CPU time of `work`, in ms."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        work()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password, make_password

    from bench.run import free_port, interior_points, tile_of, wait_for_port
    from gridmap.accounts.services import device_token_create
    from gridmap.core.models import RateLimitHit

    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    user = get_user_model().objects.get(username="supervisor")
    password = "loadtest-password-1"
    stored = make_password(password)
    get_user_model().objects.filter(pk=user.pk).update(password=stored)
    sign_in_ms = cpu_ms_of(lambda: check_password(password, stored))
    token_key = device_token_create(user=user, name="loadtest")[1]
    RateLimitHit.objects.filter(user=user).delete()
    points = interior_points(500)
    rng = random.Random(7)
    lines = []
    for i in range(1000):
        kind = rng.random()
        lon, lat = rng.choice(points)
        if i % 200 == 0:
            lines.append(f"POST /api/auth/token/ username=supervisor&password={password}")
        elif kind < 0.5:
            lines.append(f"GET /api/grids/lookup/?lon={lon:.6f}&lat={lat:.6f}")
        elif kind < 0.8:
            z, x, y = tile_of(lon, lat, rng.choice([10, 12, 14]))
            lines.append(f"GET /tiles/grids-level2/{z}/{x}/{y}.mvt")
        else:
            lines.append(f"GET /api/layers/{rng.choice(['rivers', 'district', 'grids-level1'])}.geojson")
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "GRIDMAP_RATE_TOKENS_PER_HOUR": "1000000"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gridmap.server", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for_port(port)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(lines))
        def wrk(seconds: int) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
                 "-s", str(BENCH_DIR / "wrk_requests.lua"), "-H", f"Authorization: Token {token_key}",
                 f"http://127.0.0.1:{port}", "--", handle.name],
                capture_output=True, text=True, timeout=seconds + 60)

        wrk(WARM_UP_SECONDS)
        result = wrk(DURATION)
        os.unlink(handle.name)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    figures = json.loads([x for x in result.stdout.splitlines() if x.startswith("{")][-1])
    mix = {"login": sum(x.startswith("POST") for x in lines), "lookup": sum("/lookup/" in x for x in lines),
           "tile": sum(".mvt" in x for x in lines), "layer": sum(".geojson" in x for x in lines)}
    section = "\n".join([
        "## Load test (`make loadtest`)", "",
        f"{CONNECTIONS} connections for {DURATION} s against granian ({os.cpu_count()} workers) on loopback, "
        f"a fixed mix of {len(lines)} requests: {mix['lookup']} lookups, {mix['tile']} tiles (z10/12/14), "
        f"{mix['layer']} layer GeoJSON, {mix['login']} token logins (one user, the per-user token limit lifted), "
        f"after {WARM_UP_SECONDS} s of the same mix not counted. Passwords: Argon2id "
        f"(gridmap.accounts.hashers), {sign_in_ms:.0f} ms of a core to check a password here "
        "(Django's default PBKDF2 took ~500 ms).", "",
        "| requests | req/s | p50 ms | p95 ms | p99 ms | errors |", "|---|---|---|---|---|---|",
        f"| {figures['requests']:,} | {figures['rps']:,.0f} | {figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} | "
        f"{figures['p99_ms']:.1f} | {figures['errors']} |", ""])
    results = BENCH_DIR / "RESULTS.md"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    text = re.sub(r"## Load test.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n\n" + section
    results.write_text(text, encoding="utf-8")
    print(section)
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
