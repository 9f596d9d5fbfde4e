"""`make loadtest`: 32 concurrent clients for 60 s (wrk, loopback only, stops by itself) on a
mix of token login, point lookups, layer GeoJSON and vector tiles against the server (granian); expects
zero errors and writes the figures into bench/RESULTS.md.

What made the tail was the sign-ins: Django's default PBKDF2 (1,000,000 rounds) takes ~0.5 s of a
core per password, and the mix's 5 sign-ins in every 1,000 requests asked more CPU of two cores
than they have, so every other request queued behind them. The baseline, in the same run, is the
same mix against a server storing passwords as Django's default does (bench.settings_pbkdf2);
the platform stores them with Argon2id (gridmap.accounts.hashers).

The mix signs one user in several times a second, which stands for many users' sign-ins: both
servers run with the per-user limit on tokens issued (GRIDMAP_RATE_TOKENS_PER_HOUR) lifted,
since the limit is a policy for one person, not a capacity. The first WARM_UP_SECONDS of the
same mix are not counted: each thread's first database connection and the first answers of the
kept tiles and layers are start-up, not load."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
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
PASSWORD = "loadtest-password-1"
# (label, the server's settings, the algorithm its first hasher stores with)
SERVERS = (("基线：Django 默认 PBKDF2（100 万轮）", "bench.settings_pbkdf2", "pbkdf2_sha256"),
           ("Argon2id（gridmap.accounts.hashers）", "bench.settings", "argon2"))


def the_mix(points, tile_of) -> list[str]:
    rng = random.Random(7)
    lines = []
    for i in range(1000):
        kind = rng.random()
        lon, lat = rng.choice(points)
        if i % 200 == 0:
            lines.append(f"POST /api/auth/token/ username=supervisor&password={PASSWORD}")
        elif kind < 0.5:
            lines.append(f"GET /api/grids/lookup/?lon={lon:.6f}&lat={lat:.6f}")
        elif kind < 0.8:
            z, x, y = tile_of(lon, lat, rng.choice([10, 12, 14]))
            lines.append(f"GET /tiles/grids-level2/{z}/{x}/{y}.mvt")
        else:
            lines.append(f"GET /api/layers/{rng.choice(['rivers', 'district', 'grids-level1'])}.geojson")
    return lines


def load(settings_module: str, requests_file: str, token_key: str) -> dict:
    """The figures of DURATION seconds of the mix against a fresh server with these settings."""
    from bench.run import free_port, wait_for_port

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "GRIDMAP_RATE_TOKENS_PER_HOUR": "1000000"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gridmap.server", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)

    def wrk(seconds: int) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
             "-s", str(BENCH_DIR / "wrk_requests.lua"), "-H", f"Authorization: Token {token_key}",
             f"http://127.0.0.1:{port}", "--", requests_file],
            capture_output=True, text=True, timeout=seconds + 60)

    try:
        wait_for_port(port)
        wrk(WARM_UP_SECONDS)
        result = wrk(DURATION)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    return json.loads([x for x in result.stdout.splitlines() if x.startswith("{")][-1])


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password, make_password

    from bench.run import interior_points, tile_of, write_section
    from bench.timing import median_ms
    from gridmap.accounts.services import device_token_create
    from gridmap.core.models import RateLimitHit

    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    users = get_user_model().objects
    user = users.get(username="supervisor")
    token_key = device_token_create(user=user, name="loadtest")[1]
    lines = the_mix(interior_points(500), tile_of)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(lines))
    rows, errors = [], 0
    try:
        for label, settings_module, algorithm in SERVERS:
            # Stored as that server stores it, so that no sign-in re-hashes it during the run.
            stored = make_password(PASSWORD, hasher=algorithm)
            users.filter(pk=user.pk).update(password=stored)
            RateLimitHit.objects.filter(user=user).delete()
            sign_in_ms = median_ms(lambda stored=stored: check_password(PASSWORD, stored), repeat=5, warmup=0,
                                   clock=time.process_time)
            figures = load(settings_module, handle.name, token_key)
            errors += figures["errors"]
            rows.append(f"| {label} | {sign_in_ms:.0f} | {figures['requests']:,} | {figures['rps']:,.0f} | "
                        f"{figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} | {figures['p99_ms']:.1f} | "
                        f"{figures['errors']} |")
    finally:
        os.unlink(handle.name)
        users.filter(pk=user.pk).update(password=make_password(PASSWORD))
    mix = {"login": sum(x.startswith("POST") for x in lines), "lookup": sum("/lookup/" in x for x in lines),
           "tile": sum(".mvt" in x for x in lines), "layer": sum(".geojson" in x for x in lines)}
    load_average = os.getloadavg()[0]
    section = [
        "",
        f"{CONNECTIONS} connections for {DURATION} s against granian ({os.cpu_count()} workers) on loopback, "
        f"a fixed mix of {len(lines)} requests: {mix['lookup']} lookups, {mix['tile']} tiles (z10/12/14), "
        f"{mix['layer']} layer GeoJSON, {mix['login']} token logins (one user; the per-user token limit lifted), "
        f"each server after {WARM_UP_SECONDS} s of the same mix not counted. Baseline in the same run: the same "
        "mix against a server that stores passwords as Django does by default (PBKDF2, 1,000,000 rounds). "
        "What made the tail was the sign-ins: at ~0.5 s of a core each, the mix's sign-ins asked more CPU "
        "than two cores have, and every other request queued behind them. Before this change the same "
        "command gave 1,296 req/s, p50 14.7 ms, p95 319.3 ms, p99 424.1 ms (as recorded in session 7). "
        f"Load average when it ended: {load_average:.1f} on {os.cpu_count()} CPUs.",
        "",
        "| passwords stored with | CPU ms per password check | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        ""]
    write_section("## Load test (`make loadtest`)", section)
    print("\n".join(section))
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
