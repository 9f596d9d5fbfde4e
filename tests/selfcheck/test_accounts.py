"""Enterprise accounts: opened from the register by the bureau or the cell's officer, first
sign-in by a one-time code; the sample's accounts; the enterprise user's menu and landing."""

import importlib
import time

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from gridmap.demo.accounts import sample_enterprise_accounts_load
from gridmap.enterprises.models import Enterprise, EnterpriseAccount
from gridmap.enterprises.services import enterprise_account_activate, enterprise_account_open
from gridmap.inspections.models import Hazard
from gridmap.workspaces.menu import MAX_TOP, menu_for

pytestmark = pytest.mark.django_db


def test_the_cells_officer_opens_an_account_with_a_one_time_code(enterprise, cell_officer, other_officer):
    opened = enterprise_account_open(actor=cell_officer, enterprise=enterprise, duty="principal")
    assert opened.username == f"{enterprise.credit_code}-principal" and len(opened.code) == 8
    user = opened.account.user
    assert not user.has_usable_password() and opened.code not in opened.account.one_time_code
    with pytest.raises(PermissionDenied):
        enterprise_account_open(actor=other_officer, enterprise=enterprise, duty="principal")
    with pytest.raises(ValidationError):
        enterprise_account_activate(username=opened.username, code="00000000", password="Qz7!long-enough")
    enterprise_account_activate(username=opened.username, code=opened.code, password="Qz7!long-enough")
    with pytest.raises(ValidationError):  # once only
        enterprise_account_activate(username=opened.username, code=opened.code, password="Qz7!long-enough")
    client = Client()
    assert client.post("/accounts/login/", {"username": opened.username,
                                            "password": "Qz7!long-enough"}).status_code == 302
    assert client.get("/api/enterprises/").json()["results"][0]["id"] == enterprise.pk


def test_the_officers_page_shows_the_code_once(enterprise, cell_officer, other_officer):
    client = Client()
    client.force_login(cell_officer)
    response = client.post(f"/enterprises/{enterprise.pk}/accounts/", {"duty": "principal"})
    assert response.status_code == 200 and "一次性登录码" in response.content.decode()
    other = Client()
    other.force_login(other_officer)
    assert other.post(f"/enterprises/{enterprise.pk}/accounts/", {"duty": "principal"}).status_code == 404


def test_the_first_sign_in_page(enterprise, supervisor):
    opened = enterprise_account_open(actor=supervisor, enterprise=enterprise, duty="principal")
    client = Client()
    bad = client.post("/enterprise/activate/", {"username": opened.username, "code": "1", "password": "x"})
    assert bad.status_code == 400
    good = client.post("/enterprise/activate/", {"username": opened.username, "code": opened.code,
                                                  "password": "Qz7!long-enough"})
    assert good.status_code == 302 and good["Location"] == "/enterprise/"


def test_every_sample_enterprise_has_an_account():
    users = get_user_model().objects.filter(username__in=Enterprise.objects.values("credit_code"))
    assert users.count() == Enterprise.objects.count()
    assert EnterpriseAccount.objects.filter(duty="safety_contact").count() == Enterprise.objects.count()


def test_loading_the_accounts_hashes_nothing(django_assert_max_num_queries):
    """Set-based: a reload of 6,000 accounts is a handful of statements, and fast."""
    password = make_password("x")
    started = time.monotonic()
    with django_assert_max_num_queries(12):
        assert sample_enterprise_accounts_load(password_hash=password) == 0
    assert time.monotonic() - started < 5


def test_menu_and_landing_of_an_enterprise_user(account, enterprise):
    headings = menu_for(account)
    assert 0 < len(headings) <= MAX_TOP
    urls = [link.url for h in headings for link in h.links]
    assert f"/enterprises/{enterprise.pk}/" in urls and "/enterprise/check/" in urls
    client = Client()
    client.force_login(account)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_source_backfill():
    migration = importlib.import_module("gridmap.inspections.migrations.0016_hazard_source_backfill")
    Hazard.objects.exclude(source="self_inspection").update(source="inspection")
    migration.backfill(django_apps, None)
    assert not Hazard.objects.filter(report__isnull=False).exclude(source="report").exists()
    assert not Hazard.objects.filter(inspection__kind="patrol", report__isnull=True).exclude(source="patrol").exists()
    assert Hazard.objects.filter(source="inspection").exists()


def test_five_wrong_codes_void_the_code(enterprise, supervisor):
    opened = enterprise_account_open(actor=supervisor, enterprise=enterprise, duty="principal")
    wrong = "99999999" if opened.code != "99999999" else "88888888"
    for _ in range(5):
        with pytest.raises(ValidationError):
            enterprise_account_activate(username=opened.username, code=wrong, password="Qz7!long-enough")
    with pytest.raises(ValidationError):  # the right code no longer opens it
        enterprise_account_activate(username=opened.username, code=opened.code, password="Qz7!long-enough")
    again = enterprise_account_open(actor=supervisor, enterprise=enterprise, duty="principal")
    assert enterprise_account_activate(username=again.username, code=again.code,
                                       password="Qz7!long-enough").has_usable_password()
