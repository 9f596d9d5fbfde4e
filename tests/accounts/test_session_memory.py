"""A session's user remembered per process (accounts.middleware): served without reading the
session or the user again while the tables that decide them are unchanged, and refused once
the process reads a new version after a sign-out, a password change, a deactivation, a
deletion or a role taken away (GRIDMAP_DATA_RECHECK_SECONDS later at most: simulated here by
`versions.forget()`)."""

import datetime as dt
from http.cookies import SimpleCookie

import pgtrigger
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from gridmap.accounts import middleware
from gridmap.core import versions

pytestmark = pytest.mark.django_db


@pytest.fixture
def remembering(settings):
    """Versions read only when a test says time has passed."""
    settings.GRIDMAP_DATA_RECHECK_SECONDS = 3600
    middleware._remembered.clear()
    versions.forget()
    yield
    middleware._remembered.clear()
    versions.forget()


@pytest.fixture
def signed_in(client):
    response = client.post("/accounts/login/", {"username": "supervisor", "password": "gridmap-demo"})
    assert response.status_code == 302
    return client


def copy_of(client) -> Client:
    """Another client with the same session cookie (a second tab, or a stolen cookie)."""
    other = Client()
    other.cookies = SimpleCookie(client.cookies.output(header="", sep=";"))
    return other


def whoami(client) -> int:
    """200 for a signed-in user (the layer list), 401/403 for nobody."""
    return client.get("/api/layers/").status_code


def test_a_remembered_session_reads_neither_session_nor_user(signed_in, remembering, django_assert_num_queries):
    assert whoami(signed_in) == 200
    with django_assert_num_queries(0):
        assert whoami(signed_in) == 200


def test_a_signed_out_session_is_refused(signed_in, remembering):
    cookie_holder = copy_of(signed_in)
    assert whoami(cookie_holder) == 200
    signed_in.post("/accounts/logout/")
    versions.forget()
    assert whoami(cookie_holder) in (401, 403)


def test_a_signed_out_session_is_refused_at_once_where_versions_are_always_read(signed_in):
    cookie_holder = copy_of(signed_in)
    assert whoami(cookie_holder) == 200
    signed_in.post("/accounts/logout/")
    assert whoami(cookie_holder) in (401, 403)


@pytest.mark.parametrize("change", ["password", "deactivate", "delete"])
def test_a_changed_user_is_refused(signed_in, remembering, change):
    assert whoami(signed_in) == 200
    user = get_user_model().objects.get(username="supervisor")
    if change == "password":
        user.set_password("another-one-2026")
        user.save()
    elif change == "deactivate":
        user.is_active = False
        user.save()
    else:
        user.delete()
    versions.forget()
    assert whoami(signed_in) in (401, 403)


def test_a_role_taken_away_is_noticed(signed_in, remembering):
    url = "/api/layers/coverage.geojson"  # a layer for supervisors only
    assert signed_in.get(url).status_code == 200
    get_user_model().objects.get(username="supervisor").groups.remove(Group.objects.get(name="bureau_staff"))
    versions.forget()
    # The last role taken away ends the session (accounts.models.end_sign_ins_without_roles).
    assert signed_in.get(url).status_code in (401, 403)


def test_a_session_that_expires_unwritten_is_refused_within_the_remembered_time(signed_in, remembering, monkeypatch):
    assert whoami(signed_in) == 200
    # Sessions expire by the clock, with no write to tell other processes.
    with pgtrigger.ignore("accounts.SessionVersion:session_data_version"):
        Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    versions.forget()
    assert whoami(signed_in) == 200  # remembered, at most REMEMBER_SECONDS
    later = middleware.time.monotonic() + middleware.REMEMBER_SECONDS + 1
    monkeypatch.setattr(middleware.time, "monotonic", lambda: later)
    assert whoami(signed_in) in (401, 403)


def test_each_request_gets_its_own_copy_of_the_user(signed_in, remembering):
    from django.http import HttpRequest

    assert whoami(signed_in) == 200
    key = signed_in.cookies["sessionid"].value
    users = []
    for _ in range(2):
        request = HttpRequest()
        request.COOKIES["sessionid"] = key
        users.append(middleware.session_user(request))
    assert users[0] is not users[1] and users[0].pk == users[1].pk
    users[0].full_name = "changed by a view"
    assert middleware.session_user(request).full_name != "changed by a view"


def test_staff_rights_taken_away_are_noticed(client, remembering):
    staff = get_user_model().objects.create_user("staff1", password="staff-pass-2026", is_staff=True,
                                                 is_superuser=True)
    assert client.post("/accounts/login/", {"username": "staff1", "password": "staff-pass-2026"}).status_code == 302
    assert client.get("/admin/").status_code == 200
    staff.is_staff = False
    staff.save(update_fields=["is_staff"])
    versions.forget()
    assert client.get("/admin/").status_code == 302  # to the admin's sign-in
