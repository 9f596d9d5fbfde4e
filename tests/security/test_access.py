"""Every URL the project routes, generated from the URL conf (a new endpoint is tested the day
it is added): anonymous visitors are refused, and an officer never receives another cell's
records, even with real ids."""

import math
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

from gridmap.grids.models import Grid, GridAssignment
from layers.registry import all_layers

pytestmark = pytest.mark.django_db

# Reachable without signing in: the login page, the token endpoint (POST), the admin's own
# login, the logout (POST), static files, and the phone app's manifest and service worker
# (no data in either; the browser fetches them outside the session), and the health and
# metrics endpoints for load balancers and the operator (no records; /metrics answers only
# the operator's network).
PUBLIC = {"accounts/login/", "api/auth/token/", "admin/login/", "accounts/logout/",
          "manifest.webmanifest", "sw.js", "healthz", "readyz", "metrics", "public/",
          "enterprise/activate/",  # an enterprise account's first sign-in (username and one-time code)
          "ogc/", "ogc/conformance", "ogc/api"}  # OGC API landing, conformance, definition: open by its standard
OWN_CELL = "120118108-003"
VICTIM_CELL = "120118108-004"


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def project_routes():
    routes = []
    for route in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "^")) and route not in PUBLIC:
            continue  # Django admin internals: covered by the admin's own staff check
        routes.append(route)
    return sorted(set(routes))


def tile_of(lon, lat, z):
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def concrete_urls(route: str, victim: Grid) -> list[str]:
    """Fill a route's parameters with real values that point at the victim's records."""
    lon, lat = victim.geom.point_on_surface.coords
    z, x, y = tile_of(lon, lat, 14)
    values = {"code": [victim.code], "z": [z], "x": [x], "y": [y],
              "name": [layer.name for layer in all_layers()], "pk": [1], "id": [1]}
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    urls = [route]
    for name in names:
        options = values.get(name, ["1"])
        urls = [re.sub(rf"<(?:\w+:)?{name}>", str(option), url, count=1) for url in urls for option in options]
    return ["/" + url for url in urls]


def test_routes_are_discovered():
    routes = project_routes()
    assert "api/grids/lookup/" in routes and "tiles/<slug:name>/<int:z>/<int:x>/<int:y>.mvt" in routes
    assert len(routes) >= 10


def test_anonymous_is_refused_everywhere(client):
    victim = Grid.objects.get(code=VICTIM_CELL)
    for route in project_routes():
        if route in PUBLIC:
            continue
        for url in concrete_urls(route, victim):
            response = client.get(url)
            assert response.status_code in (302, 401, 403, 404, 405), f"{url}: {response.status_code}"
            if response.status_code == 302:
                assert "/login/" in response["Location"], f"{url} redirects to {response['Location']}"
            assert VICTIM_CELL.encode() not in response.content, url


def test_officer_of_another_cell_receives_nothing_of_the_victim(client):
    victim = Grid.objects.get(code=VICTIM_CELL)
    officer = GridAssignment.objects.filter(grid__code=OWN_CELL, role="cell_officer").first().user
    victim_people = list(get_user_model().objects.filter(
        grid_assignments__grid=victim).values_list("username", "phone"))
    secrets = [VICTIM_CELL.encode()] + [s.encode() for pair in victim_people for s in pair if s]
    client.force_login(officer)
    probed = 0
    for route in project_routes():
        for url in concrete_urls(route, victim):
            response = client.get(url)
            probed += 1
            # /readyz answers 503 by design while no job worker runs (as here).
            assert response.status_code < 500 or route == "readyz", f"{url}: {response.status_code}"
            body = b"".join(response.streaming_content) if response.streaming else response.content
            for secret in secrets:
                assert secret not in body, f"{url} leaks {secret!r}"
    assert probed >= 10
