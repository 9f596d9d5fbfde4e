"""accounts.capabilities: which role may do what, and how a page and the API refuse."""

import itertools

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from gridmap.accounts.capabilities import (
    ACT_FOR_ENTERPRISE,
    APPROVE_PLANS,
    ASSIGN_INSPECTIONS,
    ASSIGN_OFFICERS,
    CAPABILITIES,
    COMMAND_FLOODS,
    FEED_READINGS,
    INSPECT_ENTERPRISES,
    ISSUE_DOCUMENTS,
    OPEN_ENTERPRISE_ACCOUNTS,
    REVIEW_REGISTERS,
    SEE_DISTRICT,
    SUPERVISE_HAZARDS,
    capability_required,
    requires,
)

pytestmark = pytest.mark.django_db
NUMBERS = itertools.count()

ROLES = ("grid_officer", "grid_head", "bureau_staff", "flood_command", "administrator", "law_enforcement",
         "gauge_feed", "enterprise")
# Written out here, not read from the capabilities, so that a wrong mapping fails.
ALLOWED = {
    SEE_DISTRICT: {"bureau_staff", "flood_command", "administrator", "law_enforcement"},
    ASSIGN_OFFICERS: {"bureau_staff", "administrator"},
    ASSIGN_INSPECTIONS: {"bureau_staff", "administrator"},
    ISSUE_DOCUMENTS: {"bureau_staff", "administrator"},
    COMMAND_FLOODS: {"flood_command", "bureau_staff", "administrator"},
    FEED_READINGS: {"flood_command", "gauge_feed", "administrator"},
    INSPECT_ENTERPRISES: {"law_enforcement", "bureau_staff", "administrator"},
    SUPERVISE_HAZARDS: {"law_enforcement", "bureau_staff", "administrator"},
    APPROVE_PLANS: {"administrator"},
    ACT_FOR_ENTERPRISE: {"enterprise"},
    OPEN_ENTERPRISE_ACCOUNTS: {"bureau_staff", "administrator", "grid_officer"},
    REVIEW_REGISTERS: {"bureau_staff", "administrator"},
}


def person(role: str | None = None, **fields):
    user = get_user_model().objects.create(username=f"cap-{next(NUMBERS)}", **fields)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def test_every_capability_is_checked_here():
    assert set(CAPABILITIES.values()) == set(ALLOWED)


def test_the_role_groups_carry_the_new_names():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(ROLES) <= names
    assert not {"officer", "supervisor"} & names


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("capability", list(ALLOWED), ids=lambda c: c.name)
def test_a_capability_allows_its_roles_and_no_other(capability, role):
    user = person(role)
    assert capability.allows(user) is (role in ALLOWED[capability])
    if role in ALLOWED[capability]:
        capability.require(user)
    else:
        with pytest.raises(PermissionDenied) as refused:
            capability.require(user)
        assert str(refused.value) == capability.refusal


@pytest.mark.parametrize("capability", list(ALLOWED), ids=lambda c: c.name)
def test_inactive_anonymous_and_roleless_users_are_refused_and_superusers_allowed(capability):
    allowed_role = sorted(ALLOWED[capability])[0]
    assert not capability.allows(person(allowed_role, is_active=False))
    assert not capability.allows(AnonymousUser())
    assert not capability.allows(person())
    assert capability.allows(person(is_superuser=True))


def _page(request):
    return HttpResponse("页面")


def test_the_page_decorator_sends_anonymous_users_to_sign_in_and_refuses_others_with_the_refusal():
    view = capability_required(ISSUE_DOCUMENTS)(_page)
    anonymous = RequestFactory().get("/documents/")
    anonymous.user = AnonymousUser()
    response = view(anonymous)
    assert response.status_code == 302 and response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next=/documents/"

    refused = RequestFactory().get("/documents/")
    refused.user = person("grid_officer")
    with pytest.raises(PermissionDenied) as error:
        view(refused)
    assert str(error.value) == ISSUE_DOCUMENTS.refusal
    assert convert_exception_to_response(view)(refused).status_code == 403

    allowed = RequestFactory().get("/documents/")
    allowed.user = person("bureau_staff")
    assert view(allowed).content.decode() == "页面"


class _CommandView(APIView):
    permission_classes = [requires(COMMAND_FLOODS)]

    def get(self, request):
        return Response({"ok": True})


def test_the_api_permission_answers_403_with_the_refusal():
    view = _CommandView.as_view()
    request = APIRequestFactory().get("/api/x/")
    force_authenticate(request, user=person("grid_head"))
    response = view(request)
    assert response.status_code == 403 and response.data["detail"] == COMMAND_FLOODS.refusal

    request = APIRequestFactory().get("/api/x/")
    force_authenticate(request, user=person("flood_command"))
    assert view(request).data == {"ok": True}

    anonymous = view(APIRequestFactory().get("/api/x/"))
    assert anonymous.status_code in (401, 403) and anonymous.data["detail"] != COMMAND_FLOODS.refusal


def test_one_permission_class_per_capability():
    assert requires(COMMAND_FLOODS) is requires(COMMAND_FLOODS)
    assert requires(COMMAND_FLOODS) is not requires(SEE_DISTRICT)


def test_the_flood_api_refuses_with_the_capability_refusal(api_client):
    api_client.force_authenticate(get_user_model().objects.get(username="head01"))
    response = api_client.get("/api/flood/exposure/", {"zone": 1})
    assert response.status_code == 403 and response.json()["detail"] == COMMAND_FLOODS.refusal
