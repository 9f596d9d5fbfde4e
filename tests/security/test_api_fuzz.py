"""Schemathesis against the project's own OpenAPI schema, as each role: no 500, no response
that breaks the schema. Bounded (max_examples) so that it fits in CI."""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import ignored_auth, positive_data_acceptance

from gridmap.accounts.services import device_token_create
from gridmap.grids.models import GridAssignment
from gridmap.wsgi import application

MAX_EXAMPLES = 25


def build_schema():
    import json

    from django.conf import settings as django_settings

    django_settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, "localhost", "testserver"]
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(document, default=str)))


schema = build_schema()


def token_for(role: str) -> str:
    if role == "officer":
        user = GridAssignment.objects.filter(role="cell_officer").order_by("grid__code").first().user
    else:
        user = get_user_model().objects.get(username=role)
    return device_token_create(user=user)[1]


ROLES = ("supervisor", "officer", "flood")


@pytest.fixture
def keep_connection():
    """Calling the WSGI app directly would close the test's connection at each request's
    end, as Django's own test client prevents too."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_connection")
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_never_fails_and_keeps_its_schema(case):
    for role in ROLES:
        response = case.call(app=application, headers={"Authorization": f"Token {token_for(role)}"})
        assert response.status_code < 500, f"{role}: {case.method} {case.formatted_path}: {response.status_code}"
        # Our validation is stricter than the schema can say (e.g. whitespace-only names, a
        # point outside the district), so rejecting schema-valid input is not a failure; and
        # the request carries a valid token on purpose, which the ignored-auth probe would
        # mistake for accepting bad credentials (anonymous access is tested in test_access).
        case.validate_response(response, excluded_checks=[positive_data_acceptance, ignored_auth])


def _poison(value, kind: str):
    if isinstance(value, dict):
        return {key: _poison(item, kind) for key, item in value.items()}
    if isinstance(value, list):
        return [_poison(item, kind) for item in value]
    if kind == "nul" and isinstance(value, str):
        return f"{value}\x00"
    if kind == "extreme" and isinstance(value, int) and not isinstance(value, bool):
        return 2**31 - 1 if value >= 0 else -(2**31) - 1
    if kind == "extreme" and isinstance(value, float):
        return 1e308 if value >= 0 else -1e308
    return value


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_connection")
@pytest.mark.parametrize("kind", ["nul", "extreme"])
@schema.parametrize()
@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_nul_bytes_and_extreme_numbers_never_fail(case, kind):
    """What generated data rarely reaches: a NUL in every string (path, query, body) and the
    integer column's bounds or the largest float in every number."""
    for part in ("path_parameters", "query", "body"):
        value = getattr(case, part, None)
        if value:
            setattr(case, part, _poison(value, kind))
    # The supervisor reaches every operation; the scope rule is fuzzed per role above.
    response = case.call(app=application, headers={"Authorization": f"Token {token_for('supervisor')}"})
    assert response.status_code < 500, f"{kind}: {case.method} {case.formatted_path}: {response.status_code}"
