"""The benchmark suite (`make bench`): every figure is a ratio against a baseline measured in
the same run, at district scale (the sample) and at province scale (synthetic, by COPY).

Run: DJANGO_SETTINGS_MODULE=bench.settings python -m bench [--scale district|province|both]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60.0) -> None:
    """Until a server accepts connections on 127.0.0.1:port (or the time is up). granian
    accepts once its workers have loaded (the province's cells take ~5 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


def warm_up(base: str, token: str, lon_lat, workers: int = 8) -> None:
    """Until every worker answers: each builds its cell index when it starts (seconds at
    50,000 cells), and a measurement must not count that as errors."""
    import urllib.request

    request = urllib.request.Request(f"{base}/api/grids/lookup/?lon={lon_lat[0]}&lat={lon_lat[1]}",
                                     headers={"Authorization": f"Token {token}"})
    answered, deadline = 0, time.monotonic() + 180
    while answered < workers * 4 and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
            answered += 1
        except OSError:  # a worker still starting may drop the connection
            time.sleep(0.2)


@contextlib.contextmanager
def bench_server():
    """The project's server (granian, bench settings, no debug) on a free loopback port, its
    base URL once it accepts connections; stopped afterwards."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "GRIDMAP_DEBUG": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gridmap.server", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def write_section(title: str, lines: list[str]) -> None:
    """Put a section (its title line, then `lines`) in bench/RESULTS.md, in place of the one
    with the same title, or at the end."""
    path = BENCH_DIR / "RESULTS.md"
    text = path.read_text()
    section = "\n".join([title, *lines])
    pattern = re.compile(re.escape(title) + r".*?(?=\n## |\Z)", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    path.write_text(text)


def interior_points(n: int) -> list[tuple[float, float]]:
    """n points inside level-II cells, spread over the district (stable order)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT ST_X(p), ST_Y(p) FROM (
            SELECT ST_PointOnSurface(geom) AS p FROM grids_grid WHERE level = 2
            ORDER BY md5(code) LIMIT %s) s""", [n])
        return cursor.fetchall()


def tile_of(lon, lat, z):
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


class Suite:
    def __init__(self, scale: str):
        from django.contrib.auth import get_user_model
        from rest_framework.test import APIClient

        from gridmap.accounts.services import device_token_create

        self.scale = scale
        self.results: dict[str, dict] = {}
        self.user = get_user_model().objects.filter(is_superuser=True).first() or \
            get_user_model().objects.create_superuser("bench", password=None)
        self.client = APIClient()
        self.client.force_authenticate(self.user)
        self.token = device_token_create(user=self.user, name="bench")[1]

    # --- encoding ---------------------------------------------------------------------
    def geojson(self):
        from bench.timing import geojson_contenders, median_ms, ratio
        from gridmap.grids.models import Grid
        from layers.registry import get_layer

        layer = get_layer("grids-level2")

        count = Grid.objects.filter(level=2).count()
        raw, endpoint, drf_gis = geojson_contenders(layer, self.client, self.user)

        repeat = 5 if count < 10_000 else 3
        t_raw = median_ms(raw, repeat=repeat)
        t_api = median_ms(endpoint, repeat=repeat)
        t_drf = median_ms(drf_gis, repeat=max(1, repeat // 2)) if count <= 60_000 else float("nan")
        self.results["geojson_grids"] = {
            "features": count, "raw_sql_ms": t_raw, "endpoint_ms": t_api, "drf_gis_ms": t_drf,
            "endpoint_vs_raw": ratio(t_api, t_raw), "drf_gis_vs_endpoint": ratio(t_drf, t_api),
        }

    def tiles(self):

        from gridmap.grids.models import Grid
        from layers.registry import get_layer

        centre = Grid.objects.filter(level=2).order_by("code")[Grid.objects.filter(level=2).count() // 2]
        lon, lat = centre.geom.point_on_surface.coords
        self.results["tiles"] = self._tiles(get_layer("grids-level2"), lon, lat)
        self.results["tiles_officer"] = self._officer_tiles(get_layer("grids-level2"))
        if get_layer("enterprises"):
            self.results["tiles_enterprises"] = self._tiles(get_layer("enterprises"), lon, lat)

    def _tiles(self, layer, lon, lat):
        """The endpoint as the server calls it (the WSGI application, a token client), a tile
        kept and a tile made on a miss, against the raw ST_AsMVT statement run plainly; the
        same statement prepared is shown too, as the endpoint prepares its tile statements."""
        from django.db import connection

        from bench.timing import median_ms, ratio, wsgi_get
        from gridmap.core.prepared import prepared_cursor
        from gridmap.grids.scope import scope_for
        from layers import tiles

        rows, scope = {}, scope_for(self.user)
        headers = {"Authorization": f"Token {self.token}"}
        for z in (10, 12, 14):
            z, x, y = tile_of(lon, lat, z)
            sql, params = tiles.tile_sql(layer, layer.source(self.user), z, x, y)

            def raw(sql=sql, params=params, cursor=connection.cursor):
                with cursor() as c:
                    c.execute(sql, params)
                    return bytes(c.fetchone()[0] or b"")

            def endpoint(z=z, x=x, y=y):
                status, body = wsgi_get(f"/tiles/{layer.name}/{z}/{x}/{y}.mvt", headers)
                assert status.startswith(("200", "204")), status
                return body

            def endpoint_cold(z=z, x=x, y=y):
                tiles.tile_cache.clear()
                return endpoint(z, x, y)

            def made(z=z, x=x, y=y):
                tiles.tile_cache.clear()
                return tiles.cached_tile(layer, scope, lambda: layer.source(self.user), z, x, y)

            expected = raw()
            assert endpoint_cold() == made() == expected, f"{layer.name} {z}/{x}/{y}: not the raw statement's tile"
            repeat = 51 if median_ms(raw, repeat=3) < 5 else 9
            t_raw = median_ms(raw, repeat=repeat)
            t_prepared = median_ms(lambda: raw(cursor=prepared_cursor), repeat=repeat, warmup=6)
            t_api, t_cold = median_ms(endpoint, repeat=repeat), median_ms(endpoint_cold, repeat=repeat)
            t_made = median_ms(made, repeat=repeat)
            rows[f"z{z}"] = {"tile": f"{z}/{x}/{y}", "bytes": len(expected), "raw_sql_ms": t_raw,
                             "raw_prepared_ms": t_prepared,
                             "endpoint_ms": t_api, "endpoint_vs_raw": ratio(t_api, t_raw),
                             "endpoint_cold_ms": t_cold, "endpoint_cold_vs_raw": ratio(t_cold, t_raw),
                             "endpoint_cold_vs_raw_prepared": ratio(t_cold, t_prepared),
                             "made_ms": t_made, "made_vs_raw": ratio(t_made, t_raw)}
        return rows

    def _officer_tiles(self, layer):
        """A grid officer's map in the browser: tiles of their cell asked with the session
        cookie (session, user, role and assignments found per request), against the raw
        statement for the officer's scope."""
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.db import connection

        from bench.timing import median_ms, ratio, wsgi_get
        from gridmap.grids.models import GridAssignment
        from layers import tiles

        assignment = (GridAssignment.objects.filter(role="cell_officer").select_related("user", "grid")
                      .order_by("id").first())
        if assignment is None:
            return {}
        officer = assignment.user
        session = SessionStore()
        session.update({SESSION_KEY: str(officer.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
                        HASH_SESSION_KEY: officer.get_session_auth_hash()})
        session.create()
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
        lon, lat = assignment.grid.geom.point_on_surface.coords
        rows = {}
        for z in (12, 14):
            z, x, y = tile_of(lon, lat, z)
            sql, params = tiles.tile_sql(layer, layer.source(officer), z, x, y)

            def raw(sql=sql, params=params):
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return bytes(cursor.fetchone()[0] or b"")

            def endpoint(z=z, x=x, y=y):
                status, body = wsgi_get(f"/tiles/{layer.name}/{z}/{x}/{y}.mvt", headers)
                assert status.startswith("200"), status
                return body

            def endpoint_cold(z=z, x=x, y=y):
                tiles.tile_cache.clear()
                return endpoint(z, x, y)

            assert endpoint_cold() == raw(), "the officer's tile is not the raw statement's"
            t_raw, t_api, t_cold = (median_ms(f, repeat=51) for f in (raw, endpoint, endpoint_cold))
            rows[f"z{z}"] = {"tile": f"{z}/{x}/{y}", "raw_sql_ms": t_raw, "endpoint_ms": t_api,
                             "endpoint_cold_ms": t_cold, "endpoint_vs_raw": ratio(t_api, t_raw),
                             "endpoint_cold_vs_raw": ratio(t_cold, t_raw)}
        session.delete()
        return rows

    def lookup_in_process(self):
        from django.db import connection

        from bench.timing import median_ms, ratio
        from gridmap.grids import cell_index
        from gridmap.grids.cell_index import cell_answer_json
        from gridmap.grids.selectors import cell_at_point_json

        build_s = median_ms(lambda: cell_index.build(dt.date.today()), repeat=3) / 1000
        points = interior_points(200)
        raw_sql = """SELECT code FROM grids_grid WHERE level >= 2
                     AND ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) LIMIT 1"""

        def raw():
            with connection.cursor() as cursor:
                for lon, lat in points:
                    cursor.execute(raw_sql, [lon, lat])
                    cursor.fetchone()

        def selector():
            for lon, lat in points:
                cell_at_point_json(lon, lat)

        def memory():
            for lon, lat in points:
                cell_answer_json(lon, lat)

        def endpoint():
            for lon, lat in points:
                self.client.get("/api/grids/lookup/", {"lon": lon, "lat": lat})

        def floor():
            for _ in points:
                self.client.get("/bench/floor/")

        n = len(points)
        t_raw = median_ms(raw, repeat=3) / n
        t_sel = median_ms(selector, repeat=3) / n
        t_mem = median_ms(memory, repeat=3) / n
        t_api = median_ms(endpoint, repeat=3) / n
        t_floor = median_ms(floor, repeat=3) / n
        self.results["lookup_in_process"] = {
            "raw_covers_sql_ms": t_raw, "selector_ms": t_sel, "memory_ms": t_mem, "endpoint_ms": t_api,
            "floor_view_ms": t_floor, "index_build_s": build_s, "memory_vs_raw": ratio(t_raw, t_mem),
            "endpoint_vs_raw": ratio(t_api, t_raw), "endpoint_vs_floor": ratio(t_api, t_floor),
        }

    # --- under load -------------------------------------------------------------------
    def concurrency(self, duration: int = 6, connections: int = 32):
        if not shutil.which("wrk"):
            self.results["concurrency"] = {"skipped": "wrk is not installed (apt-get install wrk)"}
            return
        with bench_server() as base:
            lon_lat = interior_points(1000)
            warm_up(base, self.token, lon_lat[0])
            tile_paths = []
            for lon, lat in lon_lat[:300]:
                z, x, y = tile_of(lon, lat, 12)
                tile_paths.append(f"/tiles/grids-level2/{z}/{x}/{y}.mvt")
            targets = {
                "floor": ["/bench/floor/"],
                "covers_bare_view": [f"/bench/covers-plain/?lon={lon:.6f}&lat={lat:.6f}" for lon, lat in lon_lat],
                "lookup_bare_view": [f"/bench/lookup-plain/?lon={lon:.6f}&lat={lat:.6f}" for lon, lat in lon_lat],
                "lookup": [f"/api/grids/lookup/?lon={lon:.6f}&lat={lat:.6f}" for lon, lat in lon_lat],
                "tile_z12": tile_paths,
            }
            files = {}
            for name, paths in targets.items():
                with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
                    handle.write("\n".join(paths))
                files[name] = handle.name

            def load(name, seconds):
                result = subprocess.run(
                    ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(BENCH_DIR / "wrk_requests.lua"),
                     "-H", f"Authorization: Token {self.token}", base, "--", files[name]],
                    capture_output=True, text=True, timeout=seconds + 30)
                line = [x for x in result.stdout.splitlines() if x.startswith("{")]
                return json.loads(line[-1]) if line else {"error": result.stdout + result.stderr}

            # Steady state (kept tiles made, caches filled), then the targets in turns: the
            # machine's speed drifts by ±10% over a minute, and turns put every target in
            # every phase of it. Each figure is the median of its turns.
            for name in targets:
                load(name, 3)
            turns = {name: [] for name in targets}
            for _ in range(ROUNDS):
                for name in targets:
                    turns[name].append(load(name, duration))
            for handle_name in files.values():
                os.unlink(handle_name)
            rows = {}
            for name, runs in turns.items():
                good = [r for r in runs if "rps" in r]
                if len(good) < len(runs):
                    rows[name] = next(r for r in runs if "rps" not in r)
                    continue
                rows[name] = {key: statistics.median(r[key] for r in good)
                              for key in ("rps", "p50_ms", "p95_ms", "p99_ms")}
                rows[name].update(requests=sum(r["requests"] for r in good), errors=sum(r["errors"] for r in good),
                                  turns=len(good), rps_turns=[round(r["rps"]) for r in good])
            for name in ("lookup", "covers_bare_view", "lookup_bare_view"):
                if "rps" in rows["floor"] and "rps" in rows[name]:
                    rows[f"{name}_vs_floor_rps"] = rows[name]["rps"] / rows["floor"]["rps"]
                    rows[f"{name}_vs_floor_p50"] = rows[name]["p50_ms"] / rows["floor"]["p50_ms"]
            self.results["concurrency"] = rows

    # --- pages in a browser -----------------------------------------------------------
    def map_pages(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from playwright.sync_api import sync_playwright

        from gridmap.grids.models import GridAssignment

        officer_assignment = GridAssignment.objects.filter(role="cell_officer").select_related("user").first()
        users = {"supervisor": self.user}
        if officer_assignment:
            users["officer"] = officer_assignment.user
        password = "bench-password-1"
        for user in users.values():
            get_user_model().objects.filter(pk=user.pk).update(password=make_password(password))
        port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                       check=True)
        server = subprocess.Popen(
            [sys.executable, "-m", "gridmap.server", "--port", str(port), "--workers", "2", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        rows = {}
        try:
            wait_for_port(port)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=shutil.which("chromium") or "/usr/bin/chromium", headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
                for role, user in users.items():
                    context = browser.new_context(viewport={"width": 1280, "height": 850})
                    page = context.new_page()
                    page.goto(f"http://127.0.0.1:{port}/accounts/login/")
                    page.fill("#id_username", user.username)
                    page.fill("#id_password", password)
                    with page.expect_navigation():
                        page.click("button[type=submit]")
                    response = page.goto(f"http://127.0.0.1:{port}/map/")
                    html_bytes = len(response.body())
                    page.wait_for_selector("html[data-first-feature]", state="attached", timeout=30000)
                    first = float(page.get_attribute("html", "data-first-feature"))
                    page.wait_for_selector("html[data-layers-pending='0']", state="attached", timeout=60000)
                    done = float(page.get_attribute("html", "data-layers-done"))
                    rows[role] = {"html_bytes": html_bytes, "first_feature_ms": first, "all_layers_ms": done}
                    context.close()
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        self.results["map_pages"] = rows

    def points(self):
        from bench import points

        if self.scale == "district":
            self.results["geojson_points"] = points.geojson_points(self)
            self.results["bulk_import"] = points.bulk_import(self, ROOT / "data" / "enterprises.csv")
        else:
            self.results["province_enterprises"] = points.top_up_enterprises(PROVINCE_ENTERPRISES)
        self.results["reassign"] = points.reassign(self)

    def inspections(self):
        from bench import inspections

        total = PROVINCE_INSPECTIONS if self.scale == "province" else None
        self.results["inspections"] = inspections.run(self, total=total)

    def run(self, parts):
        for part in parts:
            started = time.perf_counter()
            print(f"[{self.scale}] {part} …", flush=True)
            getattr(self, part)()
            print(f"[{self.scale}] {part} done in {time.perf_counter() - started:.1f} s", flush=True)
        return self.results


ROUNDS = 3
PARTS = ["points", "geojson", "tiles", "lookup_in_process", "concurrency", "map_pages", "inspections"]
PROVINCE_ENTERPRISES = 1_000_000
PROVINCE_INSPECTIONS = 5_000_000


def use_database(name: str) -> None:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[0] + "/" + name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["district", "province", "both"], default="both")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--province-db", default="gridmap_bench_province")
    parser.add_argument("--district-db", default="gridmap_bench_district")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.conf import settings

    parts = args.parts.split(",")
    district_db = settings.DATABASES["default"]["NAME"]
    report = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(), "scales": {}}
    # Written after each scale: a failure at province scale keeps the district's figures.
    if args.scale in ("district", "both"):
        report["scales"]["district"] = district(args.district_db, parts)
        use_database(district_db)
        write(report)
    if args.scale in ("province", "both"):
        report["scales"]["province"] = province(args.province_db, parts)
        use_database(district_db)
        write(report)


def write(report: dict) -> None:
    from bench.report import write_markdown

    out = BENCH_DIR / "results.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    write_markdown(report, BENCH_DIR / "RESULTS.md")
    print(f"written {out} and {BENCH_DIR / 'RESULTS.md'}", flush=True)


def prepare_database(db_name: str) -> None:
    """The benchmark's own database (created and migrated if needed): the demo stays clean."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{db_name}"')
    use_database(db_name)
    call_command("migrate", verbosity=0)


def district(db_name: str, parts):
    from gridmap.demo.sample import sample_load
    from gridmap.grids.models import Grid

    prepare_database(db_name)
    if not Grid.objects.filter(level=2).exists():
        sample_load(log=lambda *args: None)
    return Suite("district").run(parts)


def province(db_name: str, parts):
    from bench import province as province_data

    prepare_database(db_name)
    from gridmap.grids.models import Grid

    info = {}
    if Grid.objects.filter(level=2).count() < 50_000:
        data = province_data.generate()
        info = {"generate_s": data["seconds"], **province_data.load(data)}
        print(f"province loaded: {info}", flush=True)
    from bench.inspections import bulk_history, ensure_officers

    # An officer for every cell, so that lookups answer with people and the officer's map page
    # is measured at this scale too.
    with bulk_history():
        loaded = {"officers_added": ensure_officers()}
    if "inspections" in parts:
        from bench import inspections, points

        loaded["enterprises"] = points.top_up_enterprises(PROVINCE_ENTERPRISES)
        loaded["inspections"] = inspections.top_up_inspections(PROVINCE_INSPECTIONS)
        print(f"province inspections: {loaded['inspections']}", flush=True)
    results = Suite("province").run(parts)
    results["data"] = {**(info or {"reused": True}), **loaded}
    return results


def machine() -> dict:
    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1)}


if __name__ == "__main__":
    random.seed(1)
    main()
