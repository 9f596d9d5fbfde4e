"""A province's 1,000,000 enterprises exported as CSV by the job worker, in constant memory,
against pandas (`read_sql` + `to_csv`) of the same query as the baseline.

Each contender runs in a fresh process of its own, and its peak RSS is the kernel's high-water
mark of that process's memory (VmHWM in /proc/self/status; getrusage's ru_maxrss would carry
the parent's peak across fork and exec). The worker contender queues the export as a request
would and runs Procrastinate's worker until the queue is empty. `baseline_rss_mb` is the
process right after Django's set-up, before any row is read.

Run: DJANGO_SETTINGS_MODULE=bench.settings python -m bench.exports [--rows 1000000]
(its own database, gridmap_bench_exports: the province's grids by COPY, synthetic enterprises).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

BENCH_DB = "gridmap_bench_exports"
USERNAME = "bench-exports"


def memory_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(field)


def peak_rss_mb() -> float:
    return memory_mb("VmHWM")


def requester():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"is_superuser": True})
    return user


def prepare(rows: int) -> dict:
    from bench import points
    from bench import province as province_data
    from bench.run import prepare_database
    from gridmap.grids.models import Grid

    prepare_database(BENCH_DB)
    info = {}
    if Grid.objects.filter(level=2).count() < 50_000:
        data = province_data.generate()
        info = {"generate_s": round(data["seconds"], 1), **province_data.load(data)}
    info["enterprises"] = points.top_up_enterprises(rows)
    requester()
    return info


def contender_worker(out: Path) -> dict:
    """The export as the platform makes it: queued by the service, built by the worker."""
    from django.core.files.storage import default_storage
    from procrastinate.contrib.django import app

    from gridmap.jobs.models import Export
    from gridmap.jobs.services import export_request

    started = time.perf_counter()
    export = export_request(requester=requester(), kind="enterprises", fmt="csv")
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(queues=["exports"], wait=False, install_signal_handlers=False, listen_notify=False)
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.error
    size = default_storage.size(export.file.name)
    default_storage.delete(export.file.name)
    export.delete()
    return {"rows": export.rows, "seconds": round(seconds, 1), "bytes": size, "peak_rss_mb": round(peak_rss_mb(), 1)}


def contender_pandas(out: Path) -> dict:
    """The same query (the export's own SQL) read whole by pandas, then written by to_csv."""
    import warnings

    import pandas as pd
    from django.db import connection
    from django.db.models import FloatField, Func

    from gridmap.enterprises.exports import COLUMNS
    from gridmap.jobs.sources import enterprises_queryset

    started = time.perf_counter()
    names = [c for c, _ in COLUMNS]
    coords = {axis: Func("location", function=f"ST_{axis.upper()}", output_field=FloatField()) for axis in "xy"}
    queryset = enterprises_queryset(requester(), {}).annotate(lon=coords["x"], lat=coords["y"]).values_list(*names)
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas prefers SQLAlchemy; a DBAPI connection works
        frame = pd.read_sql(sql, connection.connection, params=params)
    frame.columns = [label for _, label in COLUMNS]
    frame.to_csv(out, index=False, encoding="utf-8-sig")
    seconds = time.perf_counter() - started
    return {"rows": len(frame), "seconds": round(seconds, 1), "bytes": out.stat().st_size,
            "peak_rss_mb": round(peak_rss_mb(), 1)}


CONTENDERS = {"worker": contender_worker, "pandas": contender_pandas}


def run_contender(name: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "bench.settings")}
    done = subprocess.run([sys.executable, "-m", "bench.exports", "--contender", name], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--contender", choices=sorted(CONTENDERS))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from bench.run import use_database

    if args.contender:
        use_database(BENCH_DB)
        baseline = memory_mb("VmRSS")
        with tempfile.TemporaryDirectory() as folder:
            result = CONTENDERS[args.contender](Path(folder) / "export.csv")
        print(json.dumps({**result, "baseline_rss_mb": baseline}), flush=True)
        return
    os.environ["GRIDMAP_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="gridmap-bench-exports-")
    data = prepare(args.rows)
    print(f"data: {data}", flush=True)
    results = {"data": data}
    for name in CONTENDERS:
        results[name] = run_contender(name)
        print(f"{name}: {results[name]}", flush=True)
    print(json.dumps(results, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
