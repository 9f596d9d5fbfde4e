"""Where each role starts: the landing redirect's target (`landing_url`), a grid head's town
dashboard (/towns/<code>/) and the district overview (/overview/) of supervisors and
administrators."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from gridmap.accounts.capabilities import SEE_DISTRICT, capability_required
from gridmap.accounts.selectors import landing_for
from gridmap.grids.models import CELL_DUTIES
from gridmap.grids.selectors import (
    coverage_audit,
    district_centre,
    grids_for_user,
    town_in_scope,
    user_active_cells,
    user_active_towns,
)
from gridmap.inspections import selectors as inspections
from layers.maps import build_map
from layers.registry import layers_named

from ..pages import map_parts

TOWN_LAYERS = ("grids-level1", "grids-level2", "enterprises", "tasks", "open-hazards")
LIST_LENGTH = 20


def landing_url(user) -> str:
    """The page a user starts from (accounts.selectors.landing_for says which kind)."""
    landing = landing_for(user)
    if landing == "town":
        town = user_active_towns(user).first()
        if town is not None:
            return reverse("workspaces:town", args=[town.code])
        landing = "cell"
    if landing in ("cell", "map") and user_active_cells(user).exists():
        return reverse("workspaces:my_cell")
    return {
        "overview": reverse("workspaces:overview"),
        "flood": reverse("flood:map"),
        "my_tasks": reverse("workspaces:task_list") + "?mine=1",
        "devices": reverse("accounts:devices"),
        "enterprise": reverse("selfcheck:desk"),
    }.get(landing, reverse("workspaces:map"))


@login_required
def town_dashboard(request, code: str):
    """A level-I grid at a glance: its cells and who is on duty there today, its open tasks
    and hazards, on a map fitted to the town."""
    town = town_in_scope(request.user, code)
    if town is None:
        raise Http404("一级网格不存在或不在您的职责范围内")
    cells = list(grids_for_user(request.user, level=2).filter(parent=town))
    for cell in cells:
        cell.on_duty = [o for o in cell.officers if o["role"] in CELL_DUTIES]
    tasks = inspections.tasks_for_user(request.user, open_only=True).filter(cell__parent=town)
    hazards = inspections.hazards_for_user(request.user, open_only=True).filter(cell__parent=town)
    layers = layers_named(request.user, TOWN_LAYERS)
    fmap = build_map(layers, user=request.user, center=district_centre(), zoom=12, fit_layer="grids-level1", urls={
        "grids-level1": f"/api/layers/grids-level1.geojson?code={town.code}",
        "grids-level2": f"/api/layers/grids-level2.geojson?parent={town.code}",
        "enterprises": f"/api/layers/enterprises.geojson?grid={town.code}",
        "tasks": f"/api/layers/tasks.geojson?grid={town.code}",
        "open-hazards": f"/api/layers/open-hazards.geojson?grid={town.code}",
    })
    return render(request, "landing/town.html", {
        **map_parts(request, fmap), "town": town, "cells": cells,
        "uncovered": [c for c in cells if not c.on_duty],
        "tasks": tasks[:LIST_LENGTH], "task_count": tasks.count(),
        "overdue_tasks": tasks.filter(overdue=True).count(),
        "hazards": hazards[:LIST_LENGTH], "hazard_count": hazards.count(),
        "overdue_hazards": hazards.filter(overdue=True).count(),
    })


@capability_required(SEE_DISTRICT)
def overview(request):
    """The district today: what is overdue, how far the year's plan has come, and the gaps
    (cells with no officer on duty, enterprises never inspected)."""
    user = request.user
    audit = coverage_audit(user)
    never = inspections.enterprises_never_inspected(user)
    return render(request, "landing/overview.html", {
        "today": timezone.localdate(),
        "overdue": inspections.overdue_work(user),
        "overdue_tasks": inspections.tasks_for_user(user, open_only=True).filter(overdue=True)[:LIST_LENGTH],
        "overdue_hazards": inspections.hazards_for_user(user, open_only=True).filter(overdue=True)[:LIST_LENGTH],
        "progress": inspections.plan_progress(timezone.localdate().year),
        "audit": audit,
        "never_inspected": never[:LIST_LENGTH], "never_count": never.count(),
        "towns": grids_for_user(user, level=1),
    })
