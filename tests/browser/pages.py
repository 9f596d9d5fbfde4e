"""Every page of every role, as the browser tests visit them and as `make screenshots`
photographs them: the role's landing, every entry of its menu (gridmap.workspaces.menu, so a
page added to the menu is visited too), a record of each kind it sees, and its account pages.

An account of a role the sample lacks (law enforcement, a data feed) is made here, committed,
with the demo password; the enterprise user is a sample enterprise's own account."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from gridmap.accounts.models import Role
from gridmap.demo.conf import app_settings as demo_settings
from gridmap.flood.models import FloodZone
from gridmap.grids.models import GridAssignment
from gridmap.grids.scope import on_duty_on
from gridmap.inspections import selectors as inspections
from gridmap.patrols.selectors import patrols_for_user
from gridmap.workspaces.landing.views import landing_url
from gridmap.workspaces.menu import menu_for

OFFICER_CELL = "120118108-001"
PHONE = {"width": 390, "height": 844, "mobile": True}
# An enterprise's safety contact on the smallest common Android phone (360 CSS px wide).
SMALL_PHONE = {"width": 360, "height": 780, "mobile": True}
DESK = {"width": 1280, "height": 800, "mobile": False}
MADE_ACCOUNTS = {Role.LAW_ENFORCEMENT: "law", Role.GAUGE_FEED: "gauge"}


@dataclass
class RolePages:
    role: str
    username: str
    viewport: dict
    urls: list[str] = field(default_factory=list)


def _user_of(role: str):
    users = get_user_model().objects
    if role == Role.GRID_OFFICER:
        return (GridAssignment.objects.filter(on_duty_on(timezone.localdate()), grid__code=OFFICER_CELL,
                                              role="cell_officer").order_by("id").first().user)
    if role == Role.GRID_HEAD:
        return GridAssignment.objects.filter(role="town_supervisor").order_by("grid__code", "id").first().user
    if role == Role.ENTERPRISE:
        # The sample's enterprises have their accounts (issue 21): the first in the officer's cell,
        # one with a hazard to rectify if there is one (its desk and hazard page show it).
        from django.db.models import Exists, OuterRef

        from gridmap.enterprises.models import EnterpriseAccount
        from gridmap.inspections.models import Hazard

        accounts = EnterpriseAccount.objects.filter(enterprise__cell__code=OFFICER_CELL,
                                                    enterprise__risk_points__isnull=False).annotate(
            has_hazard=Exists(Hazard.objects.filter(enterprise=OuterRef("enterprise"))))
        return accounts.order_by("-has_hazard", "enterprise_id").select_related("user").first().user
    sample = {Role.BUREAU_STAFF: "supervisor", Role.FLOOD_COMMAND: "flood", Role.ADMINISTRATOR: "admin"}
    if role in sample:
        return users.get(username=sample[role])
    user, created = users.get_or_create(username=MADE_ACCOUNTS[role], defaults={
        "full_name": f"演示{Role(role).label}", "password": make_password(demo_settings.DEMO_PASSWORD)})
    user.groups.add(Group.objects.get(name=role))
    return user


def _records(user) -> list[str]:
    """One record page of each kind the user sees."""
    if Role.ENTERPRISE in user.groups.values_list("name", flat=True):
        first = inspections.hazards_for_user(user).order_by("pk").values_list("pk", flat=True).first()
        return [f"/enterprise/hazards/{first}/"] if first is not None else []
    urls = []
    for queryset, path in (
        (inspections.tasks_for_user(user), "/inspections/tasks/{}/"),
        (inspections.hazards_for_user(user), "/inspections/hazards/{}/"),
        (inspections.reports_for_user(user), "/inspections/reports/{}/"),
        (inspections.documents_for_user(user), "/inspections/documents/{}/"),
        (inspections.enterprises_visible(user), "/enterprises/{}/"),
        (patrols_for_user(user), "/patrols/{}/"),
    ):
        first = queryset.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            urls.append(path.format(first))
    return urls


EXTRAS = {
    Role.GRID_OFFICER: ["/patrols/new/", "/outbox/", f"/cells/{OFFICER_CELL}/"],
    Role.BUREAU_STAFF: ["/inspections/exposures/", "/inspections/summonses/", f"/cells/{OFFICER_CELL}/",
                        "/map/?on=2019-08-11",
                        "/flood/exposure/?zone={zone}", "/inspections/publication/?list=blacklist&year=2019",
                        "/inspections/publication/?list=wechat&year=2019",
                        # The OGC API's pages for a person (its links are on the service's own pages).
                        "/ogc/", "/ogc/conformance", "/ogc/api", "/ogc/collections", "/ogc/collections/grids-level2",
                        "/ogc/collections/grids-level2/items", "/ogc/collections/enterprises/items",
                        # The public page (no sign-in needed; seen here signed in).
                        "/public/"],
    Role.FLOOD_COMMAND: ["/flood/exposure/?zone={zone}"],
}


def role_pages() -> list[RolePages]:
    """The pages of each role, landing first (call with database access)."""
    zone = FloodZone.objects.order_by("pk").values_list("pk", flat=True).first()
    result = []
    for role in Role:
        user = _user_of(role)
        urls = [landing_url(user)]
        urls += [link.url for heading in menu_for(user) for link in heading.links]
        urls += _records(user) if role != Role.GAUGE_FEED else []
        urls += [u.format(zone=zone) for u in EXTRAS.get(role, [])]
        urls += ["/accounts/password/", "/accounts/devices/", "/no-such-page/"]
        unique = list(dict.fromkeys(urls))
        viewport = {Role.GRID_OFFICER: PHONE, Role.ENTERPRISE: SMALL_PHONE}.get(role, DESK)
        result.append(RolePages(role, user.username, viewport, unique))
    return result
