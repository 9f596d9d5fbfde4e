"""Patrol pages: the list, recording a patrol, and one patrol with its map and history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from gridmap.core.history import history_of
from gridmap.enterprises.selectors import enterprises_for_user
from gridmap.grids.selectors import user_active_cells
from gridmap.patrols.selectors import patrol_in_scope, patrols_for_user
from gridmap.patrols.services import patrol_record
from layers.maps import build_map
from layers.registry import layers_named

from ..pages import map_parts, refusal_text
from .forms import PatrolForm


@login_required
def patrol_list(request):
    patrols = patrols_for_user(request.user)
    if request.GET.get("cell"):
        patrols = patrols.filter(cell__code=request.GET["cell"])
    return render(request, "patrols/list.html", {"patrols": patrols[:200]})


@login_required
def patrol_new(request):
    cells = list(user_active_cells(request.user))
    if request.method == "POST":
        form = PatrolForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                patrol = patrol_record(
                    actor=request.user, lon=data["lon"], lat=data["lat"], crs=data["crs"],
                    patrolled_at=data["patrolled_at"], track=data["track"], visited=data["visited"],
                    enterprise_id=data["enterprise"], notes=data["notes"],
                    photos=request.FILES.getlist("photos"))
            except ValidationError as exc:
                form.add_error(None, refusal_text(exc))
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"巡查记录已保存（{patrol.cell.name}）")
                return redirect("workspaces:patrol_detail", pk=patrol.pk)
    else:
        form = PatrolForm(initial={"patrolled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    visitable = enterprises_for_user(request.user).filter(cell__in=cells).order_by("cell__code", "name")
    # A refused patrol comes back with its reasons as a 400: nothing was stored.
    return render(request, "patrols/form.html", {"form": form, "cells": cells, "enterprises": visitable},
                  status=400 if request.method == "POST" else 200)


@login_required
def patrol_detail(request, pk: int):
    patrol = patrol_in_scope(request.user, pk)
    if patrol is None:
        raise Http404("巡查记录不存在或无权查看")
    layers = layers_named(request.user, ("grids-level2", "patrols"))
    fmap = build_map(layers, user=request.user, center=(patrol.position.y, patrol.position.x), zoom=15, urls={
        "grids-level2": f"/api/layers/grids-level2.geojson?code={patrol.cell.code}",
        "patrols": f"/api/layers/patrols.geojson?cell={patrol.cell.code}&id={patrol.pk}",
    })
    return render(request, "patrols/detail.html", {
        "patrol": patrol, "history": history_of(patrol, references=True), **map_parts(request, fmap)})
