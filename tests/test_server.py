"""The HTTP server as `make run` and the Docker image start it (gridmap.server: granian),
on the test database: its workers answer through Django with the same headers, and stop on
SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def committed_token(db):
    """A supervisor's token the server's processes can see: written through a connection of
    its own, outside the test's transaction, and removed afterwards."""
    import psycopg
    from knox.models import get_digest_token

    db = connection.settings_dict
    conninfo = {"dbname": db["NAME"], "user": db["USER"], "host": db["HOST"], "port": db["PORT"]}
    digest, key = get_digest_token()
    with psycopg.connect(**conninfo, autocommit=True) as other:
        other.execute("INSERT INTO accounts_devicetoken (digest, token_key, user_id, created, expiry, name) "
                      "SELECT %s, %s, id, now(), now() + interval '1 day', 'test' "
                      "FROM accounts_user WHERE username = 'supervisor'", [digest, key[:15]])
    yield key
    with psycopg.connect(**conninfo, autocommit=True) as other:
        other.execute("DELETE FROM accounts_devicetoken WHERE digest = %s", [digest])


def other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def server(db):
    before = other_sessions()  # e.g. the browser tests' live server
    db = connection.settings_dict
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridmap.settings.test",
           "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    process = subprocess.Popen([sys.executable, "-m", "gridmap.server", "--port", str(port), "--workers", "2"],
                               cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(f"{base}/accounts/login/")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"the server did not start: {process.communicate()[0].decode()[-2000:]}")
    yield base, process, before
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_the_server_answers_through_django_and_stops_on_sigterm(committed_token, server):
    from gridmap.grids.models import Grid
    from gridmap.grids.selectors import cell_at_point_json

    base, process, sessions_before = server
    status, headers, body = get(f"{base}/accounts/login/")
    assert status == 200 and "登录" in body.decode()
    assert "default-src" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"

    cell = Grid.objects.filter(level=2).order_by("code")[7]
    point = cell.geom.point_on_surface
    url = f"{base}/api/grids/lookup/?lon={point.x}&lat={point.y}"
    assert get(url)[0] == 401
    status, headers, body = get(url, {"Authorization": f"Token {committed_token}"})
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body) == json.loads(cell_at_point_json(point.x, point.y))
    assert json.loads(body)["code"] == cell.code

    # Each worker keeps its database connections open between requests (one per thread);
    # a stop ends every process of the server, and so their sessions.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("a worker outlived the stopped server")
    while other_sessions() > sessions_before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert other_sessions() <= sessions_before, "the stopped server left database sessions open"
