"""Serves gridmap over HTTP with granian: `python -m gridmap.server [--host H] [--port P]`.

granian (a Rust HTTP server with a WSGI interface) replaced gunicorn: it served about twice
the requests on the same machine (bench/RESULTS.md). It parses HTTP outside Python
and keeps connections alive, where gunicorn's sync workers close every connection after
one request.

One place for the server's settings: `make run`, the Docker image, `make bench` and
`make loadtest` all start it through here. With `--with-worker` (`make run`) a Procrastinate
job worker (`manage.py procrastinate worker`) runs beside the server and stops with it; in a
cluster the workers are their own service (docker-compose.yml's `worker`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from granian import Granian
from granian.constants import Interfaces
from granian.log import LogLevels

APPLICATION = "gridmap.wsgi:worker_application"
WORKERS_KILL_TIMEOUT_S = 10


def build(host: str, port: int, workers: int | None = None, threads: int = 2, access_log: bool = False,
          log_level: str = "info") -> Granian:
    return Granian(
        APPLICATION,
        factory=True,  # built in each worker process, after the fork (see wsgi.worker_application)
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers or os.cpu_count() or 2,
        # Each thread has its own database connection; granian's default for WSGI would be
        # hundreds of threads. Two per worker: a request waiting on the database (a province's
        # statistics, an export) does not hold up the lookups behind it, and CPU-bound requests
        # contend less for the GIL than with more (`make loadtest`'s mix; bench/RESULTS.md).
        blocking_threads=threads,
        # Kept, not reaped after 30 idle seconds: a new thread opens a new database connection.
        blocking_threads_idle_timeout=600,
        websockets=False,
        respawn_failed_workers=True,
        # A worker told to stop while it is still loading (its factory) does not see the
        # signal, and granian would wait for it for ever: killed after this many seconds.
        workers_kill_timeout=WORKERS_KILL_TIMEOUT_S,
        log_level=LogLevels(log_level),
        log_access=access_log,
    )


def start_worker() -> subprocess.Popen:
    """The job worker as a child process: exports, batch registers and the periodic jobs."""
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    return subprocess.Popen([sys.executable, str(manage), "procrastinate", "worker", "--name", "gridmap-worker"])


def stop_worker(worker: subprocess.Popen) -> None:
    """SIGTERM lets the worker finish its current job; killed if it takes too long."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def shared_metrics_folder() -> None:
    """Prometheus counters of all granian workers in one folder (prometheus_client's
    multiprocess mode), fresh at each start, unless the operator set one."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gridmap-metrics-")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="gridmap 网格化监管平台 HTTP 服务（granian）")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=None, help="进程数，默认等于 CPU 核数")
    parser.add_argument("--threads", type=int, default=2, help="每个进程的线程数")
    parser.add_argument("--access-log", action="store_true", help="输出访问日志")
    parser.add_argument("--log-level", default="info", choices=[level.value for level in LogLevels])
    parser.add_argument("--with-worker", action="store_true", help="同时启动后台任务进程（随服务停止）")
    args = parser.parse_args(argv)
    shared_metrics_folder()
    worker = start_worker() if args.with_worker else None
    try:
        build(args.host, args.port, args.workers, args.threads, args.access_log, args.log_level).serve()
    finally:
        if worker is not None:
            stop_worker(worker)


if __name__ == "__main__":
    main()
