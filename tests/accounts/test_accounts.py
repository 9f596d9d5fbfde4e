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
