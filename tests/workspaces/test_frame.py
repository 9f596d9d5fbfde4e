"""Every role's frame: where it lands, what its menu offers (never a page that refuses it),
and the town dashboard's scope."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gridmap.accounts.models import Role
from gridmap.enterprises.models import EnterpriseAccount
from gridmap.grids.models import GridAssignment
from gridmap.workspaces.menu import MAX_TOP, menu_for
from tests.factories import make_user, officer_of

pytestmark = pytest.mark.django_db
CELL = "120118108-001"


def role_user(role: str):
    """A user of each role: the sample's own where it has one, else a new account."""
    users = get_user_model().objects
    if role == Role.GRID_OFFICER:
        return officer_of(CELL)
    if role == Role.GRID_HEAD:
        return GridAssignment.objects.filter(role="town_supervisor").select_related("user", "grid") \
            .order_by("grid__code").first().user
    if role == Role.ENTERPRISE:  # an enterprise account is a user tied to its enterprise
        return EnterpriseAccount.objects.select_related("user").order_by("pk").first().user
    sample = {Role.BUREAU_STAFF: "supervisor", Role.FLOOD_COMMAND: "flood", Role.ADMINISTRATOR: "admin"}
    if role in sample:
        return users.get(username=sample[role])
    existing = users.filter(username=f"frame-{role}").first()
    return existing or make_user(f"frame-{role}", role, full_name=f"测试{Role(role).label}")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def town_of(user) -> GridAssignment:
    return GridAssignment.objects.filter(user=user, grid__level=1).select_related("grid").first().grid


LANDINGS = {
    Role.GRID_OFFICER: lambda user: "/my-cell/",
    Role.GRID_HEAD: lambda user: f"/towns/{town_of(user).code}/",
    Role.BUREAU_STAFF: lambda user: "/overview/",
    Role.ADMINISTRATOR: lambda user: "/overview/",
    Role.FLOOD_COMMAND: lambda user: "/flood/",
    Role.LAW_ENFORCEMENT: lambda user: "/inspections/tasks/?mine=1",
    Role.GAUGE_FEED: lambda user: "/accounts/devices/",
}


@pytest.mark.parametrize("role", list(LANDINGS))
def test_each_role_lands_on_its_page(role):
    user = role_user(role)
    client = signed_in(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == LANDINGS[role](user)
    assert client.get(response["Location"]).status_code == 200


def test_the_grid_heads_landing_names_the_town():
    head = role_user(Role.GRID_HEAD)
    town = town_of(head)
    page = signed_in(head).get(f"/towns/{town.code}/").content.decode()
    assert f'<h1 id="town-name">{town.name}</h1>' in page
    assert f"/api/layers/grids-level2.geojson?parent={town.code}" in page


def test_a_grid_head_sees_only_their_own_town():
    head = role_user(Role.GRID_HEAD)
    other = GridAssignment.objects.filter(grid__level=1).exclude(grid=town_of(head)).first().grid
    assert signed_in(head).get(f"/towns/{other.code}/").status_code == 404
    assert signed_in(officer_of(CELL)).get(f"/towns/{other.code}/").status_code == 404
    assert signed_in(role_user(Role.BUREAU_STAFF)).get(f"/towns/{other.code}/").status_code == 200


def test_the_overview_is_for_district_users_only():
    assert signed_in(role_user(Role.BUREAU_STAFF)).get("/overview/").status_code == 200
    assert signed_in(officer_of(CELL)).get("/overview/").status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_no_menu_entry_refuses_its_role(role):
    user = role_user(role)
    menu = menu_for(user)
    assert len(menu) <= MAX_TOP
    client = signed_in(user)
    page = client.get("/accounts/devices/").content.decode()
    for heading in menu:
        for link in heading.links:
            assert f'href="{link.url}"' in page.replace("&amp;", "&"), (role, link.url)
            status = client.get(link.url).status_code
            assert status == 200, (role, link.label, link.url, status)


def test_each_desk_offers_its_own_pages():
    def urls(role):
        return {link.url for heading in menu_for(role_user(role)) for link in heading.links}

    assert {"/flood/", "/flood/stock/", "/flood/duty/"} <= urls(Role.FLOOD_COMMAND)
    assert "/assign/" not in urls(Role.FLOOD_COMMAND)
    assert "/inspections/tasks/?mine=1" in urls(Role.LAW_ENFORCEMENT)
    assert not {"/assign/", "/inspections/plan/", "/inspections/area/"} & urls(Role.LAW_ENFORCEMENT)
    assert {"/overview/", "/assign/", "/inspections/plan/"} <= urls(Role.BUREAU_STAFF)
    assert "/my-cell/" in urls(Role.GRID_OFFICER)
