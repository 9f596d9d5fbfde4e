"""Lock-out, password change, CSRF."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "gridmap-demo"


def test_lock_out_after_repeated_failures_even_with_the_right_password(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "officer0100", "password": "wrong"})
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    locked = client.post("/accounts/login/", {"username": "officer0100", "password": "wrong"})
    assert locked.status_code == 429 and "暂时锁定" in locked.content.decode()
    again = client.post("/accounts/login/", {"username": "officer0100", "password": PASSWORD})
    assert again.status_code == 429
    assert client.get("/my-cell/").status_code == 302  # not signed in
    # Another account from the same address is not affected.
    other = client.post("/accounts/login/", {"username": "officer0101", "password": PASSWORD})
    assert other.status_code == 302


def test_success_resets_the_failure_count(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "officer0102", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "officer0102", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/accounts/login/", {"username": "officer0102", "password": "wrong"}).status_code == 200


def test_password_change():
    user = get_user_model().objects.get(username="officer0103")
    client = Client()
    client.force_login(user)
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    bad = client.post("/accounts/password/", {"old_password": "nope", "new_password1": "Jinghai-2026-safe",
                                              "new_password2": "Jinghai-2026-safe"})
    assert bad.status_code == 200
    done = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Jinghai-2026-safe",
                                               "new_password2": "Jinghai-2026-safe"})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password("Jinghai-2026-safe")
    assert client.get("/my-cell/").status_code == 200  # the session survives the change


@pytest.mark.parametrize("url, data", [
    ("/accounts/login/", {"username": "supervisor", "password": PASSWORD}),
    ("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Jinghai-2026-safe",
                             "new_password2": "Jinghai-2026-safe"}),
    ("/patrols/new/", {"lon": 117, "lat": 38.8}),
    ("/assign/new/", {"cells": "120118100-001", "username": "officer0001", "role": "cell_officer"}),
    ("/assign/roster/", {}),
    ("/accounts/logout/", {}),
])
def test_every_form_needs_the_csrf_token(url, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="supervisor"))
    assert client.post(url, data).status_code == 403


def fail_sign_ins(client, username: str, times: int, **headers):
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, **headers)


def test_the_login_page_sends_retry_after_while_locked(client, settings):
    fail_sign_ins(client, "officer0110", settings.AXES_FAILURE_LIMIT)
    locked = client.post("/accounts/login/", {"username": "officer0110", "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME * 3600)


def test_while_locked_the_token_api_answers_429_even_for_the_right_password(client, settings):
    from rest_framework.test import APIClient

    fail_sign_ins(client, "officer0111", settings.AXES_FAILURE_LIMIT)
    response = APIClient().post("/api/auth/token/", {"username": "officer0111", "password": PASSWORD}, format="json")
    assert response.status_code == 429 and "锁定" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    # Failures through the API count too, and lock the pair as the page does.
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/auth/token/", {"username": "officer0112", "password": "wrong"}, format="json")
    assert api.post("/api/auth/token/", {"username": "officer0112", "password": PASSWORD},
                    format="json").status_code == 429
    assert api.post("/api/auth/token/", {"username": "officer0113", "password": PASSWORD},
                    format="json").status_code == 200


def test_wrong_current_passwords_count_toward_the_lock_out(settings):
    user = get_user_model().objects.get(username="officer0114")
    client = Client()
    client.force_login(user)
    change = {"new_password1": "Jinghai-2026-safe", "new_password2": "Jinghai-2026-safe"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/accounts/password/", {"old_password": "nope", **change}).status_code == 200
    assert client.post("/accounts/password/", {"old_password": "nope", **change}).status_code == 429
    # Locked: not even the right current password changes it, and signing in is refused.
    assert client.post("/accounts/password/", {"old_password": PASSWORD, **change}).status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Client().post("/accounts/login/", {"username": "officer0114", "password": PASSWORD}).status_code == 429


def test_behind_the_proxy_lock_out_counts_per_client_address(settings):
    """With one trusted proxy, the address it appended to X-Forwarded-For is the client's: one
    address failing locks that address out, not the officer everywhere; what a client writes
    further left is ignored."""
    settings.GRIDMAP_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        # A forged entry on the left changes nothing: still 203.0.113.7 as the proxy saw it.
        attacker.post("/accounts/login/", {"username": "officer0115", "password": "wrong"},
                      HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")
    assert attacker.post("/accounts/login/", {"username": "officer0115", "password": PASSWORD}).status_code == 429
    officer = Client(**proxy, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert officer.post("/accounts/login/", {"username": "officer0115", "password": PASSWORD}).status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings):
    settings.GRIDMAP_TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(
            "/accounts/login/", {"username": "officer0116", "password": "wrong"})
    assert Client(HTTP_X_FORWARDED_FOR="192.0.2.1").post(
        "/accounts/login/", {"username": "officer0116", "password": PASSWORD}).status_code == 429
