"""Issue 23's done-when: after every bad input the tests know has been sent through the forms
and the API (tests/security/bad_corpus.py), every list endpoint answers every role, and none
answers 500."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from gridmap.accounts.services import device_token_create
from gridmap.flood.models import StockItem
from gridmap.grids.models import GridAssignment
from layers.registry import all_layers
from tests.factories import officer_of
from tests.security.bad_corpus import CELL, writes

pytestmark = pytest.mark.django_db

# Pages that are not lists (or not for GET): signing out, the admin (its own app), the API
# schema and documents (large, and tested in test_api_fuzz), and readiness (503 by design
# while no job worker runs, as in this test; tested in tests/jobs).
SKIPPED = ("accounts/logout/", "admin/", "api/schema/", "api/docs/", "readyz")


def parameterless_routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += parameterless_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and not any(c in route for c in "<(^$"):
            routes.append(route)
    routes = {"/" + r.lstrip("/") for r in routes}
    return sorted(r for r in routes if not r[1:].startswith(SKIPPED))


def users() -> dict:
    model = get_user_model()
    return {
        "officer": officer_of(CELL),
        "grid head": GridAssignment.objects.filter(grid__code=CELL.split("-")[0], role="town_supervisor").first().user,
        "supervisor": model.objects.get(username="supervisor"),
        "flood": model.objects.get(username="flood"),
    }


def send_corpus(people: dict) -> list[str]:
    item = StockItem.objects.order_by("pk").first()
    failures = []
    for who, path, data, how in writes():
        path = path.format(item=item.pk)
        if how == "page":
            client = Client()
            client.force_login(people[who])
            response = client.post(path, data)
        else:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {device_token_create(user=people[who])[1]}")
            response = client.post(path, data, format=how)
        if response.status_code >= 500:
            failures.append(f"{who} POST {path} {str(data)[:80]}: {response.status_code}")
    return failures


# The lists each role must be able to read (200), beyond answering no 500 anywhere.
MUST_ANSWER = {
    "officer": ["/api/patrols/", "/patrols/", "/api/grids/", "/inspections/reports/", "/api/inspections/reports/",
                "/my-cell/", "/api/layers/patrols.geojson"],
    "grid head": ["/api/patrols/", "/patrols/", "/api/grids/", "/inspections/reports/", "/api/inspections/hazards/"],
    "supervisor": ["/api/patrols/", "/patrols/", "/inspections/reports/", "/api/inspections/reports/",
                   "/enterprises/", "/inspections/hazards/", "/coverage/", "/api/layers/patrols.geojson"],
    "flood": ["/api/patrols/", "/flood/stock/", "/api/grids/"],
}


def test_after_the_whole_corpus_every_list_answers_every_role():
    people = users()
    assert send_corpus(people) == []
    routes = parameterless_routes() + [f"/api/layers/{layer.name}.geojson" for layer in all_layers()]
    assert "/api/patrols/" in routes and "/patrols/" in routes
    failures = []
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        answers = {route: client.get(route).status_code for route in routes}
        failures += [f"{role} GET {route}: {status}" for route, status in answers.items() if status >= 500]
        failures += [f"{role} GET {route}: {answers.get(route)} (must be 200)" for route in MUST_ANSWER[role]
                     if answers.get(route) != 200]
        # And the newest records' own pages (a stored NaN track once broke them too).
        for patrol in client.get("/api/patrols/").json()["results"][:20]:
            for route in (f"/patrols/{patrol['id']}/", f"/api/patrols/{patrol['id']}/"):
                if (status := client.get(route).status_code) != 200:
                    failures.append(f"{role} GET {route}: {status}")
    assert failures == []
