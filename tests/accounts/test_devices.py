"""Device tokens: one per device, expiring, listed and revoked by their owner or a supervisor;
a password change, deactivation or the last role removed ends every token and session
(issue 23 item 3, issue 16 part 5)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gridmap.accounts.models import DeviceToken
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "field-Officer-42"


@pytest.fixture
def officer():
    user = make_user("dev-officer", "grid_officer")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in_token(device="") -> str:
    response = APIClient().post("/api/auth/token/", {"username": "dev-officer", "password": PASSWORD,
                                                     "device": device})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def browser() -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": "dev-officer", "password": PASSWORD}).status_code == 302
    return client


def test_each_sign_in_is_a_new_expiring_device_token(officer, settings):
    first, second = sign_in_token("手机"), sign_in_token()
    assert first != second
    tokens = DeviceToken.objects.filter(user=officer)
    assert tokens.count() == 2 and not tokens.filter(digest__in=[first, second]).exists()  # only digests
    expiry = tokens.get(name="手机").expiry
    assert abs(expiry - timezone.now() - dt.timedelta(days=settings.GRIDMAP_TOKEN_TTL_DAYS)) < dt.timedelta(minutes=1)
    assert token_client(first).get("/api/patrols/").status_code == 200


def test_an_expired_token_is_refused(officer):
    key = sign_in_token()
    DeviceToken.objects.filter(user=officer).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert token_client(key).get("/api/patrols/").status_code == 401


def test_owner_creates_lists_and_revokes_devices(officer):
    client = token_client(sign_in_token("旧手机"))
    created = client.post("/api/auth/devices/", {"name": "平板"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "token", "created", "last_used", "expires"} and body["name"] == "平板"
    listed = client.get("/api/auth/devices/").json()
    assert {d["name"] for d in listed} == {"旧手机", "平板"} and all("token" not in d for d in listed)
    tablet = token_client(body["token"])
    assert tablet.get("/api/patrols/").status_code == 200
    assert client.get("/api/auth/devices/").json()[0]["last_used"] is not None
    assert client.delete(f"/api/auth/devices/{body['id']}/").status_code == 204
    assert tablet.get("/api/patrols/").status_code == 401


def test_only_the_owner_or_a_supervisor_sees_and_revokes(officer, supervisor):
    key = sign_in_token("手机")
    device_id = DeviceToken.objects.get(user=officer).pk
    other = token_client(sign_in_token_of(make_user("dev-other", "grid_officer")))
    assert other.get("/api/auth/devices/", {"user": "dev-officer"}).status_code == 403
    assert other.delete(f"/api/auth/devices/{device_id}/").status_code == 404
    boss = APIClient()
    boss.force_authenticate(supervisor)
    assert [d["id"] for d in boss.get("/api/auth/devices/", {"user": "dev-officer"}).json()] == [device_id]
    assert boss.delete(f"/api/auth/devices/{device_id}/").status_code == 204
    assert token_client(key).get("/api/patrols/").status_code == 401


def sign_in_token_of(user) -> str:
    from gridmap.accounts.services import device_token_create

    return device_token_create(user=user)[1]


def test_a_password_change_ends_other_sessions_and_every_token(officer):
    phone = token_client(sign_in_token())
    assert phone.get("/api/patrols/").status_code == 200  # remembered by this process now
    changer, other_browser = browser(), browser()
    assert other_browser.get("/accounts/password/").status_code == 200
    changed = changer.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "new-Secret-77",
                                                   "new_password2": "new-Secret-77"})
    assert changed.status_code == 302
    assert phone.get("/api/patrols/").status_code == 401
    assert other_browser.get("/accounts/password/").status_code == 302  # to the sign-in page
    assert changer.get("/accounts/password/").status_code == 200  # the session that changed it stays
    assert not DeviceToken.objects.filter(user=officer).exists()


def test_deactivation_ends_tokens_and_sessions_at_once(officer):
    phone, page = token_client(sign_in_token()), browser()
    assert phone.get("/api/patrols/").status_code == 200 and page.get("/accounts/password/").status_code == 200
    officer.is_active = False
    officer.save()
    assert phone.get("/api/patrols/").status_code == 401
    assert page.get("/accounts/password/").status_code == 302
    officer.is_active = True
    officer.save()
    assert phone.get("/api/patrols/").status_code == 401  # reactivation revives nothing
    assert page.get("/accounts/password/").status_code == 302


def test_removing_the_last_role_ends_tokens_and_sessions(officer):
    phone, page = token_client(sign_in_token()), browser()
    assert phone.get("/api/patrols/").status_code == 200 and page.get("/accounts/password/").status_code == 200
    officer.groups.remove(Group.objects.get(name="grid_officer"))
    assert phone.get("/api/patrols/").status_code == 401
    assert page.get("/accounts/password/").status_code == 302


def test_the_devices_page_lists_and_revokes(officer, supervisor):
    key = sign_in_token("我的手机")
    page = browser()
    listing = page.get("/accounts/devices/")
    assert listing.status_code == 200 and "我的手机" in listing.content.decode() and "撤销" in listing.content.decode()
    device_id = DeviceToken.objects.get(user=officer, name="我的手机").pk
    assert page.post("/accounts/devices/", {"device": device_id}).status_code == 302
    assert token_client(key).get("/api/patrols/").status_code == 401
    assert page.get("/accounts/devices/", {"user": "supervisor"}).status_code == 403
    boss = Client()
    boss.force_login(supervisor)
    assert boss.get("/accounts/devices/", {"user": "dev-officer"}).status_code == 200
