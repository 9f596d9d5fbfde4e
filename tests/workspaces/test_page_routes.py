"""Every grid, patrol and enterprise page answers its roles by its URL name, and every map
page is drawn in the frame of templates/map_base.html."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from gridmap.enterprises.models import Enterprise
from gridmap.grids.models import GridAssignment
from gridmap.patrols.services import patrol_record
from gridmap.workspaces.enterprises import urls as enterprise_pages
from gridmap.workspaces.grids import urls as grid_pages
from gridmap.workspaces.patrols import urls as patrol_pages
from tests.factories import inside, officer_of

pytestmark = pytest.mark.django_db
CELL = "120118108-001"
MAP_BASE_MARKER = '<meta name="gridmap-frame" content="map_base">'


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Records:
    """An officer of CELL, the supervisor, and a patrol, a duty and an enterprise of that cell."""

    def __init__(self):
        self.officer = officer_of(CELL)
        self.supervisor = get_user_model().objects.get(username="supervisor")
        lon, lat = inside(CELL)
        self.patrol = patrol_record(actor=self.officer, lon=lon, lat=lat, visited="路由检查")
        self.assignment = GridAssignment.objects.filter(grid__code=CELL, user=self.officer).first()
        self.enterprise = Enterprise.objects.filter(cell__code=CELL).order_by("id").first()


# name: (method, arguments from the records, officer's status, supervisor's status). A POST
# carries no data: the assigning actions answer an empty form with a redirect and a message.
ROUTES = {
    "workspaces:home": ("get", lambda r: [], 302, 302),
    "workspaces:map": ("get", lambda r: [], 200, 200),
    "workspaces:my_cell": ("get", lambda r: [], 200, 200),
    "workspaces:cell_detail": ("get", lambda r: [CELL], 200, 200),
    "workspaces:assign": ("get", lambda r: [], 403, 200),
    "workspaces:assign_create": ("post", lambda r: [], 403, 302),
    "workspaces:assignment_action": ("post", lambda r: [r.assignment.pk, "move"], 403, 302),
    "workspaces:roster_upload": ("post", lambda r: [], 403, 302),
    "workspaces:coverage": ("get", lambda r: [], 403, 200),
    "workspaces:patrol_list": ("get", lambda r: [], 200, 200),
    "workspaces:patrol_new": ("get", lambda r: [], 200, 200),
    "workspaces:patrol_detail": ("get", lambda r: [r.patrol.pk], 200, 200),
    "enterprises:list": ("get", lambda r: [], 200, 200),
    "enterprises:export": ("get", lambda r: ["csv"], 200, 200),
    "enterprises:register": ("get", lambda r: [r.enterprise.pk], 200, 200),
    "enterprises:register-pdf": ("get", lambda r: [r.enterprise.pk], 200, 200),
    "registers:dashboard": ("get", lambda r: [], 200, 200),
    "registers:map": ("get", lambda r: [], 200, 200),
    "registers:online": ("get", lambda r: [], 200, 200),
    "registers:changes": ("get", lambda r: [], 403, 200),
    "registers:change_action": ("post", lambda r: [0, "approve"], 403, 404),
    "enterprises:accounts": ("get", lambda r: [r.enterprise.pk], 200, 200),
}


def test_every_moved_page_has_a_route_entry():
    named = {f"workspaces:{p.name}" for p in grid_pages.urlpatterns + patrol_pages.urlpatterns}
    named |= {f"enterprises:{p.name}" for p in enterprise_pages.urlpatterns}
    named |= {f"registers:{p.name}" for p in enterprise_pages.register_patterns[0]}
    assert named == set(ROUTES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_page_answers_its_roles(name):
    method, arguments, officer_status, supervisor_status = ROUTES[name]
    records = Records()
    url = reverse(name, args=arguments(records))
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url
    assert getattr(signed_in(records.officer), method)(url).status_code == officer_status, url
    assert getattr(signed_in(records.supervisor), method)(url).status_code == supervisor_status, url


def test_the_landing_sends_officers_to_their_cell_and_supervisors_to_the_overview():
    records = Records()
    assert signed_in(records.officer).get(reverse("workspaces:home"))["Location"] == reverse("workspaces:my_cell")
    assert signed_in(records.supervisor).get(reverse("workspaces:home"))["Location"] == reverse("workspaces:overview")


MAP_PAGES = ["workspaces:map", "workspaces:my_cell", "workspaces:assign", "workspaces:area_assign",
             "workspaces:patrol_detail", "registers:dashboard", "registers:map"]


@pytest.mark.parametrize("name", MAP_PAGES)
def test_map_pages_are_drawn_in_the_base_frame(name):
    records = Records()
    user = records.officer if name == "workspaces:my_cell" else records.supervisor
    url = reverse(name, args=[records.patrol.pk] if name == "workspaces:patrol_detail" else [])
    page = signed_in(user).get(url).content.decode()
    assert page.count(MAP_BASE_MARKER) == 1, url
    assert page.count('<div class="map-frame">') == 1 and page.count('id="map-error"') == 1, url
    assert "folium-map" in page, url


def test_my_cell_without_a_cell_has_the_frame_but_no_map():
    supervisor = get_user_model().objects.get(username="supervisor")
    page = signed_in(supervisor).get(reverse("workspaces:my_cell")).content.decode()
    assert MAP_BASE_MARKER in page and "您今天没有负责的二级网格" in page
    assert 'class="map-frame"' not in page
