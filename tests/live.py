"""Real servers for the scaling tests: PostgreSQL clusters of a test's own (scripts/db.sh and
scripts/replica.sh on free ports in a temporary folder), granian app nodes
(gridmap.server) and a small HTTP client that keeps its cookies."""

from __future__ import annotations

import http.cookies
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict) -> str:
    db = settings_dict
    return f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def psql(port: int, sql: str, db: str = "gridmap") -> str:
    """One statement on a cluster of the test's own (as the `postgres` OS user when root)."""
    command = [str(PGBIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db,
               "-tAXq", "-v", "ON_ERROR_STOP=1", "-c", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=30).stdout.strip()


class Clusters:
    """A primary (scripts/db.sh) and, on demand, its hot standby (scripts/replica.sh), on free
    ports in a temporary folder, never the shared cluster."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="gridmap-pg-"))
        self.folder.chmod(0o755)  # the postgres OS user runs the clusters
        self.primary_port, self.replica_port = free_port(), free_port()
        self.env = {**os.environ, "GRIDMAP_PGPORT": str(self.primary_port),
                    "GRIDMAP_PGDATA": str(self.folder / "primary"),
                    "GRIDMAP_REPLICA_PORT": str(self.replica_port),
                    "GRIDMAP_REPLICA_PGDATA": str(self.folder / "replica"),
                    "GRIDMAP_PG_NOSYNC": "1"}  # thrown away after the test

    def script(self, *args: str) -> str:
        done = subprocess.run([str(REPO / "scripts" / args[0]), *args[1:]], env=self.env, capture_output=True,
                              text=True, timeout=90)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)}: {done.stdout}{done.stderr}")
        return done.stdout

    @property
    def primary_url(self) -> str:
        return f"postgis://postgres@127.0.0.1:{self.primary_port}/gridmap"

    @property
    def replica_url(self) -> str:
        return f"postgis://postgres@127.0.0.1:{self.replica_port}/gridmap"

    def copy_database(self, source_url: str) -> None:
        """The (migrated, sample-loaded) test database into the primary's `gridmap`. The dump's
        empty search_path is left out: the audit triggers' WHEN clauses compare geometries,
        whose operators resolve only with public on the path (as in scripts/backup.sh)."""
        source = "postgresql://" + source_url.split("://", 1)[1]
        dump = subprocess.run([str(PGBIN / "pg_dump"), "--no-owner", "--no-privileges", source], check=True,
                              capture_output=True, timeout=120).stdout
        dump = dump.replace(b"SELECT pg_catalog.set_config('search_path', '', false);", b"")
        subprocess.run([str(PGBIN / "psql"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                        "-d", "gridmap", "-qX", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"],
                       input=dump, check=True, capture_output=True, timeout=120)  # noqa: S603

    def set_password(self, username: str, password: str) -> None:
        """A user of the copied database signs in with this password (hashed as the nodes check it)."""
        from django.contrib.auth.hashers import make_password

        psql(self.primary_port, f"UPDATE accounts_user SET password = '{make_password(password)}', is_active = true "
                                f"WHERE username = '{username}'")

    def stop(self) -> None:
        """Both stopped at once (nothing of theirs is kept) and their folder removed."""
        for name in ("replica", "primary"):
            if (self.folder / name / "postmaster.pid").exists():
                subprocess.run(["runuser", "-u", "postgres", "--"] * (os.getuid() == 0) + [
                    str(PGBIN / "pg_ctl"), "-D", str(self.folder / name), "-m", "immediate", "-w", "stop"],
                    capture_output=True, check=False, timeout=60)
        subprocess.run(["rm", "-rf", str(self.folder)], check=False)


class Node:
    """An app node: `python -m gridmap.server` on a free port."""

    def __init__(self, env: dict[str, str], workers: int = 1, threads: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridmap.settings.test", **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gridmap.server", "--port", str(self.port), "--workers", str(workers),
             "--threads", str(threads)],
            cwd=REPO, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 40) -> None:
        wait_for(f"{self.base}/healthz", timeout, self.process)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)


def wait_for(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    output = ""
    if process is not None:
        process.kill()
        output = process.communicate()[0].decode(errors="replace")[-3000:]
    raise RuntimeError(f"{url} did not answer within {timeout} s\n{output}")


class Browser:
    """HTTP with cookies as a browser keeps them (one host), no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(self._NoRedirect)

    def request(self, url: str, data: dict | None = None, headers: dict | None = None, as_json: bool = False):
        headers = dict(headers or {})
        body = None
        if data is not None and as_json:
            body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body, headers=headers)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = http.cookies.SimpleCookie(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, content.decode(errors="replace")

    def get(self, url: str):
        return self.request(url)

    def sign_in(self, base: str, username: str, password: str) -> None:
        status, page = self.get(f"{base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.request(f"{base}/accounts/login/", {"csrfmiddlewaretoken": token, "username": username,
                                                             "password": password},
                                 {"Referer": f"{base}/accounts/login/"})
        assert status == 302, f"sign-in failed ({status})"
