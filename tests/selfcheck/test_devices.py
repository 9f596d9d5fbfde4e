"""An enterprise's phone sends its queued self-inspections with a device token of its own, as an
officer's does (issue 21): the enterprise user makes, lists and revokes only their own tokens."""

import json
import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gridmap.accounts.models import DeviceToken
from gridmap.accounts.services import device_token_create
from gridmap.inspections.models import Hazard, SelfInspection
from gridmap.inspections.self_checks import check_items
from tests.factories import png_upload

pytestmark = pytest.mark.django_db


def test_an_enterprise_user_makes_their_device_token_and_sends_with_it(account, enterprise):
    # As the outbox does: through the signed-in session, with its CSRF token.
    web = Client(enforce_csrf_checks=True)
    web.force_login(account)
    web.get("/enterprise/check/")
    made = web.post("/api/auth/devices/", json.dumps({"name": "企业手机"}), content_type="application/json",
                    HTTP_X_CSRFTOKEN=web.cookies["csrftoken"].value)
    assert made.status_code == 201, made.content
    device = made.json()
    assert DeviceToken.objects.get(pk=device["id"]).user_id == account.pk
    listed = web.get("/api/auth/devices/").json()
    assert [d["id"] for d in listed] == [device["id"]] and "token" not in listed[0]

    phone = APIClient()  # no session, no CSRF: the token alone
    code = next(i.code for i in check_items(enterprise) if not i.major_criterion)
    sent = phone.post("/api/self-inspections/", {
        "client_id": str(uuid.uuid4()), "items": json.dumps([{"code": code, "result": "hazard", "note": "令牌上传"}]),
        f"photo_{code}": [png_upload()]}, format="multipart", HTTP_AUTHORIZATION=f"Token {device['token']}")
    assert sent.status_code == 201, sent.content
    assert SelfInspection.objects.get(pk=sent.json()["id"]).recorded_by_id == account.pk
    assert Hazard.objects.get(pk=sent.json()["hazards"][0]).photos.count() == 1
    # The token opens only the narrow door.
    assert phone.get("/api/patrols/", HTTP_AUTHORIZATION=f"Token {device['token']}").status_code == 403

    revoked = web.delete(f"/api/auth/devices/{device['id']}/", HTTP_X_CSRFTOKEN=web.cookies["csrftoken"].value)
    assert revoked.status_code == 204 and not DeviceToken.objects.filter(pk=device["id"]).exists()
    assert phone.post("/api/self-inspections/", {"items": json.dumps([{"code": code, "result": "ok"}])},
                      format="multipart", HTTP_AUTHORIZATION=f"Token {device['token']}").status_code == 401


def test_an_enterprise_user_reaches_no_one_elses_tokens(account, enterprise_api, cell_officer):
    officers, _ = device_token_create(user=cell_officer, name="网格员的手机")
    assert enterprise_api.get("/api/auth/devices/", {"user": cell_officer.username}).status_code == 403
    assert "网格员的手机" not in enterprise_api.get("/api/auth/devices/").content.decode()
    assert enterprise_api.delete(f"/api/auth/devices/{officers.pk}/").status_code == 404
    assert DeviceToken.objects.filter(pk=officers.pk).exists()
