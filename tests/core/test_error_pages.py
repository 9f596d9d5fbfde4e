"""Error pages speak Chinese too: a refusal names what the user may not do, a missing page
says so, and a server error has a page of its own that needs no database."""

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import Client

from gridmap.accounts.capabilities import ASSIGN_OFFICERS
from tests.factories import officer_of


def test_a_refused_page_shows_the_capability_refusal(db):
    client = Client()
    client.force_login(officer_of("120118108-003"))
    response = client.get("/assign/")
    page = response.content.decode()
    assert response.status_code == 403 and "无权访问" in page and ASSIGN_OFFICERS.refusal in page
    assert "Forbidden" not in page


def test_a_missing_page_is_in_chinese(db):
    client = Client()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in page and "Not Found" not in page


def test_the_server_error_page_renders_without_a_request():
    page = render_to_string("500.html")
    assert "服务器错误" in page and "{%" not in page
