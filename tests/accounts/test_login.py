import os
import subprocess
import sys

import pytest
from django.conf import settings

from gridmap.demo.sample import DemoDataRefused, sample_load

pytestmark = pytest.mark.django_db


def test_login_and_logout(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "登录" in page.content.decode()
    response = client.post("/accounts/login/", {"username": "supervisor", "password": "gridmap-demo"})
    assert response.status_code == 302
    assert client.get("/map/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/map/").status_code == 302


def test_wrong_password_is_refused_with_a_chinese_message(client):
    response = client.post("/accounts/login/", {"username": "supervisor", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_demo_data_is_refused_where_not_allowed(settings):
    settings.GRIDMAP_ALLOW_DEMO_DATA = False
    with pytest.raises(DemoDataRefused):
        sample_load(log=lambda *a: None)


def production_check(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**clean, "DJANGO_SETTINGS_MODULE": "gridmap.settings.production", **env},
    )


def test_production_settings_need_secrets_from_the_environment():
    result = production_check({})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = production_check({
        "SECRET_KEY": "x" * 20 + "production-test-key-with-enough-entropy-7f3a9c",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgis://postgres@127.0.0.1:54329/gridmap"),
        "GRIDMAP_ALLOWED_HOSTS": "gridmap.example.gov.cn",
    })
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_carry_a_content_security_policy(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/map/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'nonce-" in policy and "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    # Every inline script carries the nonce; scripts with a src are self-hosted.
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert f'nonce="{nonce}"' in tag or 'src="/static/' in tag, tag
