"""Grid pages: the landing, the grid map, the officer's cell, a cell's people and history,
assigning officers on the map, the roster upload and the coverage audit.

The landing (`home`) lives here: where a user lands depends on their grid duties today."""

import json
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridmap.accounts.capabilities import ASSIGN_OFFICERS, capability_required
from gridmap.core.history import history_of, recorded_as
from gridmap.enterprises.risk import RISK_ORDER
from gridmap.enterprises.risk import colour as risk_colour
from gridmap.enterprises.selectors import (
    enterprises_in_cells,
    enterprises_without_cell,
)
from gridmap.geo.readers import ImportRefused
from gridmap.grids.models import GridAssignment
from gridmap.grids.roster import import_roster
from gridmap.grids.scope import active_on, scope_for
from gridmap.grids.selectors import (
    assignment_in_scope,
    assignments_of_grid,
    boundary_history,
    coverage_audit,
    district_centre,
    user_active_cells,
)
from gridmap.grids.services import assignment_create, assignment_end, assignment_move, assignment_replace
from gridmap.inspections.online import enterprises_not_online
from gridmap.patrols.selectors import patrols_for_user
from layers.maps import build_map, keep_view
from layers.registry import layers_named

from ..inspections.views import my_cell_sections
from ..landing.views import landing_url
from ..pages import map_parts, refusal_text
from .forms import AsOfForm, AssignForm, EndForm, MoveForm, ReplaceForm, RosterForm, SelectionForm

BASE_LAYERS = ("district", "grids-level1", "grids-level2", "rivers")


@login_required
def home(request):
    """Each role lands on its own page (workspaces.landing.views.landing_url)."""
    return redirect(landing_url(request.user))


@login_required
def grid_map(request):
    """The district's grids, today or "as of" a past day (?on=YYYY-MM-DD): the boundaries of
    that day's generation with the people on duty that day, from the grids API."""
    form = AsOfForm(request.GET or None)
    as_of = form.cleaned_data["on"] if form.is_valid() else None
    if as_of == timezone.localdate():
        as_of = None
    urls = ({f"grids-level{level}": f"/api/grids/?level={level}&on={as_of:%Y-%m-%d}" for level in (1, 2)}
            if as_of else None)
    fmap = build_map(layers_named(request.user, BASE_LAYERS), user=request.user, center=district_centre(), zoom=10,
                     fit_layer="district", urls=urls)
    return render(request, "grids/map.html", {**map_parts(request, fmap), "as_of_form": form, "as_of": as_of})


# --- the officer's cell ------------------------------------------------------------------

@login_required
def my_cell(request):
    cells = list(user_active_cells(request.user).select_related("parent"))
    cell = next((c for c in cells if c.code == request.GET.get("cell")), cells[0] if cells else None)
    context = {"cells": cells, "cell": cell, "cells_codes": json.dumps([c.code for c in cells])}
    if cell is not None:
        layers = layers_named(request.user, ("my-town", "grids-level2", "enterprises", "patrols", "tasks",
                                             "open-hazards"))
        fmap = build_map(layers, user=request.user, center=district_centre(), zoom=13, fit_layer="grids-level2", urls={
            "grids-level2": f"/api/layers/grids-level2.geojson?code={cell.code}",
            "enterprises": f"/api/layers/enterprises.geojson?cell={cell.code}",
            "patrols": f"/api/layers/patrols.geojson?cell={cell.code}",
            "tasks": f"/api/layers/tasks.geojson?cell={cell.code}&assignee={request.user.username}",
            "open-hazards": f"/api/layers/open-hazards.geojson?cell={cell.code}",
        })
        context.update(map_parts(request, fmap))
        context["officers"] = assignments_of_grid(request.user, cell.code).filter(
            active_on(timezone.localdate()))
        context["patrols"] = patrols_for_user(request.user).filter(cell=cell)[:10]
        enterprises = list(enterprises_in_cells(request.user, [cell.code]).order_by(RISK_ORDER, "name"))
        for enterprise in enterprises:
            enterprise.risk_colour = risk_colour(enterprise.risk_level)
        context["enterprises"] = enterprises
        context["not_online"] = list(enterprises_not_online(request.user, cell)[:200])
        context["today"] = timezone.localdate()
        context.update(my_cell_sections(request.user, cell))
    return render(request, "grids/my_cell.html", context)


# --- a grid's page: its people and its history ---------------------------------------------

@login_required
def cell_detail(request, code: str):
    # The open row of the code, or its last one when the code has ended (a split, a merge).
    grid = (scope_for(request.user).grids().filter(code=code).select_related("parent")
            .order_by(F("valid_to").desc(nulls_first=True), "-valid_from").first())
    if grid is None:
        raise Http404("网格不存在或无权查看")
    day = grid.valid_to or timezone.localdate()
    assignments = list(assignments_of_grid(request.user, code, on=day) or [])
    history = history_of(grid) + history_of(*assignments) if assignments else history_of(grid)
    history.sort(key=lambda e: e.when)
    today = timezone.localdate()
    return render(request, "grids/cell_detail.html", {
        "grid": grid, "assignments": assignments, "history": history, "today": today,
        "boundary_history": boundary_history(grid),
        "can_assign": ASSIGN_OFFICERS.allows(request.user)})


# --- assigning officers on the map ---------------------------------------------------------

@capability_required(ASSIGN_OFFICERS)
def assign_map(request):
    layers = layers_named(request.user, ("district", "grids-level1", "coverage"))
    fmap = build_map(layers, user=request.user, center=district_centre(), zoom=10, fit_layer="coverage",
                     passive=("district", "grids-level1"))
    keep_view(fmap)
    return render(request, "grids/assign.html", {
        "assign_form": AssignForm(initial={"role": GridAssignment.Duty.CELL_OFFICER,
                                           "username": request.GET.get("user", "")}),
        "roster_form": RosterForm(), "selected": request.GET.get("cells", ""),
        "today": timezone.localdate(), **map_parts(request, fmap)})


def _back(request, cells: str = ""):
    """Back to the assigning map with the cells of the action (or those selected before) selected."""
    url = reverse("workspaces:assign")
    cells = cells or SelectionForm.cells_of(request.POST)
    return redirect(f"{url}?cells={cells}" if cells else url)


def _form_errors(form) -> str:
    return "；".join(" ".join(v) for v in form.errors.values())


@require_POST
@capability_required(ASSIGN_OFFICERS)
def assign_create(request):
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label if k in form.fields else ''}：{' '.join(v)}"
                                          for k, v in form.errors.items()))
        return _back(request)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            for grid in data["cells"]:
                assignment_create(actor=request.user, user=data["username"], grid=grid, role=data["role"],
                                  valid_from=data["valid_from"], valid_to=data["valid_to"], note=data["note"])
    except ValidationError as exc:
        messages.error(request, f"未保存：{refusal_text(exc)}")
    else:
        names = "、".join(g.name for g in data["cells"])
        messages.success(request, f"已将 {data['username']} 分配为 {names} 的{GridAssignment.Duty(data['role']).label}")
    return _back(request, ",".join(g.code for g in data["cells"]))


ASSIGNMENT_ACTION_FORMS = {"move": MoveForm, "replace": ReplaceForm, "end": EndForm}


@require_POST
@capability_required(ASSIGN_OFFICERS)
def assignment_action(request, pk: int, action: str):
    assignment = assignment_in_scope(request.user, pk)
    if assignment is None:
        raise Http404("网格职责不存在")
    if action not in ASSIGNMENT_ACTION_FORMS:
        raise Http404("未知操作")
    form = ASSIGNMENT_ACTION_FORMS[action](request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, assignment.grid.code)
    data = form.cleaned_data
    try:
        if action == "move":
            to_grid = data["to_cell"][0]
            assignment_move(actor=request.user, assignment=assignment, to_grid=to_grid, on=data["on"],
                            note=data["note"])
            messages.success(request, f"已将 {assignment.user} 从 {assignment.grid.name} 调往 {to_grid.name}")
            return _back(request, f"{assignment.grid.code},{to_grid.code}")
        if action == "replace":
            assignment_replace(actor=request.user, assignment=assignment, user=data["username"],
                               on=data["on"], note=data["note"])
            messages.success(request, f"{data['username']} 已接替 {assignment.user}（{assignment.grid.name}）")
        else:
            assignment_end(actor=request.user, assignment=assignment, last_day=data["last_day"],
                           note=data["note"])
            messages.success(request, f"已结束 {assignment.user} 在 {assignment.grid.name} 的职责")
    except ValidationError as exc:
        messages.error(request, f"未保存：{refusal_text(exc)}")
    return _back(request, assignment.grid.code)


@require_POST
@capability_required(ASSIGN_OFFICERS)
def roster_upload(request):
    form = RosterForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request)
    upload = form.cleaned_data["roster"]
    suffix = Path(upload.name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        # The importer names problems by file name: keep the uploader's (its base name only).
        path = Path(folder) / (Path(upload.name).name or f"roster{suffix}")
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            with recorded_as(request.user, "roster_import"):
                report = import_roster(path, dry_run=form.cleaned_data["dry_run"])
        except ImportRefused as exc:
            shown = exc.problems[:20]
            more = f"（另有 {len(exc.problems) - 20} 处）" if len(exc.problems) > 20 else ""
            messages.error(request, "名册未导入，未做任何修改：" + "；".join(str(p) for p in shown) + more)
        except Exception as exc:  # an unreadable spreadsheet
            messages.error(request, f"名册无法读取：{type(exc).__name__}")
        else:
            messages.success(request, report.summary())
    return _back(request)


# --- coverage audit -----------------------------------------------------------------------

@capability_required(ASSIGN_OFFICERS)
def coverage(request):
    audit = coverage_audit(request.user)
    unattended = {c["code"] for c in audit.uncovered} | {c["code"] for c in audit.away}
    return render(request, "grids/coverage.html", {
        "audit": audit,
        "homeless": enterprises_without_cell(request.user)[:500],
        "unattended_enterprises": enterprises_in_cells(request.user, unattended)[:500],
    })
