"""Error pages speak Chinese, in the site's frame with a way back, for pages and for the
browsable API alike; a program asking for JSON gets JSON."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import Client

from gridmap.accounts.capabilities import ASSIGN_OFFICERS, COMMAND_FLOODS
from gridmap.accounts.services import device_token_create
from tests.factories import officer_of

pytestmark = pytest.mark.django_db
OFFICER_CELL = "120118108-003"
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def browser(user) -> Client:
    client = Client(**BROWSER)
    client.force_login(user)
    return client


def token_client(user) -> Client:
    _, key = device_token_create(user=user, name="测试")
    return Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT="application/json")


def assert_framed_page(response, status: int, *words: str):
    page = response.content.decode()
    assert response.status_code == status and response["Content-Type"].startswith("text/html")
    assert 'class="topbar"' in page and "<nav>" in page, "the site's frame with its menu"
    assert 'href="/">返回首页</a>' in page
    for word in words:
        assert word in page
    for english in ("Not Found", "Forbidden", "Django REST framework", "Page not found"):
        assert english not in page


def test_a_missing_page_as_a_browser_and_as_a_json_client():
    supervisor = get_user_model().objects.get(username="supervisor")
    assert_framed_page(browser(supervisor).get("/no-such-page/"), 404, "页面不存在（404）", 'href="/overview/"')
    response = token_client(supervisor).get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert "不存在" in json.loads(response.content)["detail"]


def test_a_missing_api_record_in_the_browsable_api_is_our_page():
    supervisor = get_user_model().objects.get(username="supervisor")
    assert_framed_page(browser(supervisor).get("/api/inspections/tasks/999999999/"), 404, "页面不存在（404）")
    response = token_client(supervisor).get("/api/inspections/tasks/999999999/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_a_refused_page_shows_the_capability_refusal():
    officer = officer_of(OFFICER_CELL)
    assert_framed_page(browser(officer).get("/assign/"), 403, "无权访问（403）", ASSIGN_OFFICERS.refusal,
                       'href="/my-cell/"')
    asks_json = Client(HTTP_ACCEPT="application/json")
    asks_json.force_login(officer)
    response = asks_json.get("/assign/")
    assert response.status_code == 403 and json.loads(response.content) == {"detail": ASSIGN_OFFICERS.refusal}


def test_a_refused_api_call_as_a_browser_and_as_a_json_client():
    officer = officer_of(OFFICER_CELL)
    assert_framed_page(browser(officer).get("/api/flood/exposure/"), 403, COMMAND_FLOODS.refusal)
    response = token_client(officer).get("/api/flood/exposure/")
    assert response.status_code == 403 and json.loads(response.content) == {"detail": COMMAND_FLOODS.refusal}


def test_an_anonymous_api_call_from_a_browser_is_a_page_with_the_sign_in_link():
    response = Client(**BROWSER).get("/api/inspections/tasks/")
    page = response.content.decode()
    assert response.status_code == 401 and "/accounts/login/" in page and "Django REST framework" not in page
    assert Client().get("/api/inspections/tasks/")["Content-Type"] == "application/json"


def test_a_bad_request_and_a_server_error_are_framed_pages():
    from gridmap.core.views import bad_request, server_error

    request = Client(**BROWSER).get("/").wsgi_request
    request.user = get_user_model().objects.get(username="supervisor")
    assert "请求有误（400）" in bad_request(request).content.decode()
    page = server_error(request).content.decode()
    assert "服务器错误（500）" in page and 'href="/overview/"' in page


def test_the_server_error_page_renders_without_a_request():
    page = render_to_string("500.html")
    assert "服务器错误" in page and "{%" not in page


def test_the_sign_in_lockout_is_a_chinese_429_for_people_and_json_for_programs(settings):
    people, program = Client(**BROWSER), Client(HTTP_ACCEPT="application/json")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = people.post("/accounts/login/", {"username": "officer0110", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 429 and "账户已暂时锁定" in page and 'class="topbar"' in page
    assert response["Retry-After"] and "返回登录页" in page
    response = program.post("/accounts/login/", {"username": "officer0110", "password": "wrong"})
    assert response.status_code == 429 and "锁定" in json.loads(response.content)["detail"]
