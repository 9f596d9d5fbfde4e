"""Enterprise pages: the list and its exports, one enterprise's register (一企一册) and its
PDF, the registers' completeness dashboard and the enterprise risk map."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridmap.accounts.capabilities import (
    OPEN_ENTERPRISE_ACCOUNTS,
    REVIEW_REGISTERS,
    capability_required,
    is_enterprise_account,
)
from gridmap.enterprises.exports import export_csv, export_geojson, export_xlsx
from gridmap.enterprises.filters import EnterpriseFilterSet
from gridmap.enterprises.models import EnterpriseAccount
from gridmap.enterprises.register import register_context, register_filename, register_pdf
from gridmap.enterprises.selectors import (
    COMPLETENESS_BANDS,
    completeness_by_grid,
    enterprise_for_user,
    enterprises_for_user,
    register_changes_for_user,
    risk_points_for_user,
)
from gridmap.enterprises.services import enterprise_account_open, register_change_review
from gridmap.grids.models import Grid
from gridmap.grids.selectors import district_centre
from gridmap.inspections.online import WINDOW_DAYS, online_grids
from gridmap.inspections.online import window as online_window
from layers.maps import build_map
from layers.registry import get_layer, layers_named

from ..lists import filtered, list_context
from ..pages import map_parts
from ..selfcheck.forms import AccountForm, ReviewForm

EXPORTS = {
    "csv": (export_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (export_xlsx,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "geojson": (export_geojson, "application/geo+json", "geojson"),
}


def _filtered(request):
    return filtered(request, EnterpriseFilterSet, enterprises_for_user(request.user).order_by("name"))


@login_required
def enterprise_list(request):
    return render(request, "enterprises/list.html",
                  list_context(request, _filtered(request), export_url=reverse("enterprises:export", args=["csv"])))


@login_required
def enterprise_export(request, fmt: str):
    if fmt not in EXPORTS:
        raise Http404("不支持的导出格式")
    build, content_type, extension = EXPORTS[fmt]
    response = HttpResponse(build(_filtered(request).qs), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="enterprises-{stamp}.{extension}"'
    return response


def _enterprise_and_points(request, pk: int):
    enterprise = enterprise_for_user(request.user, pk)
    if enterprise is None:
        raise Http404("企业不存在或无权查看")
    return enterprise, list(risk_points_for_user(request.user, enterprise=enterprise))


@login_required
def enterprise_register(request, pk: int):
    enterprise, points = _enterprise_and_points(request, pk)
    return render(request, "enterprises/detail.html", {
        **register_context(enterprise, points), "enterprise_user": is_enterprise_account(request.user),
        "can_open_accounts": OPEN_ENTERPRISE_ACCOUNTS.allows(request.user)})


@capability_required(OPEN_ENTERPRISE_ACCOUNTS)
def enterprise_accounts(request, pk: int):
    """The enterprise's accounts; opening one (or a new one-time code) shows the code once."""
    enterprise = enterprise_for_user(request.user, pk)
    if enterprise is None:
        raise Http404("企业不存在或无权查看")
    opened, errors = None, []
    form = AccountForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError({"duty": "职责无效"})
            opened = enterprise_account_open(actor=request.user, enterprise=enterprise, **form.cleaned_data)
        except ValidationError as exc:
            errors = [m for ms in exc.message_dict.values() for m in ms]
    return render(request, "enterprises/accounts.html", {
        "enterprise": enterprise, "opened": opened, "errors": errors, "duties": EnterpriseAccount.Duty.choices,
        "accounts": enterprise.accounts.select_related("user").order_by("duty")}, status=400 if errors else 200)


@login_required
def enterprise_register_pdf(request, pk: int):
    enterprise, points = _enterprise_and_points(request, pk)
    response = HttpResponse(register_pdf(enterprise, points), content_type="application/pdf")
    name = register_filename(enterprise)
    response["Content-Disposition"] = (f"attachment; filename=\"{enterprise.credit_code}.pdf\"; "
                                       f"filename*=UTF-8''{quote(name)}")
    return response


# --- the registers' completeness and the risk map (namespace `registers`) --------------------

def _with_band_colours(grids):
    """Each grid's completeness bar in the colour of its band on the map beside it (the
    register-completeness layer's scale)."""
    colours = get_layer("register-completeness").style_by["values"]
    for grid in grids:
        band = "无企业" if grid.percent is None else next(
            label for label, bound in COMPLETENESS_BANDS if grid.percent >= bound)
        grid.band_colour = colours.get(band, "#eeeeee")
    return grids


@login_required
def completeness_dashboard(request):
    level1 = _with_band_colours(completeness_by_grid(request.user, level=Grid.Level.LEVEL_1))
    level2 = _with_band_colours(completeness_by_grid(request.user, level=Grid.Level.LEVEL_2))
    totals = {key: sum(getattr(g, key) for g in level1)
              for key in ("total", "with_points", "with_responsible", "with_site_map", "complete")}
    missing = enterprises_for_user(request.user, filters={"complete": "0"}).select_related(
        "cell").order_by("cell__code", "name")[:200]
    fmap = build_map(layers_named(request.user, ("district", "grids-level1", "register-completeness")),
                     user=request.user, center=district_centre(), zoom=10, fit_layer="register-completeness")
    return render(request, "enterprises/registers.html", {
        **map_parts(request, fmap), "level1": level1, "level2": level2, "totals": totals, "missing": missing,
    })


@login_required
def online_dashboard(request):
    """上线率: per level-I and level-II grid, the enterprises online in self-inspection over the
    last 30 days and the checks done on time (gridmap.inspections.online), with its map."""
    colours = get_layer("enterprises-online").style_by["values"]
    level1 = list(online_grids(request.user, level=Grid.Level.LEVEL_1))
    level2 = list(online_grids(request.user, level=Grid.Level.LEVEL_2))
    for grid in level1 + level2:
        grid.band_colour = colours.get(grid.online_band, "#f5f5f5")
    totals = {key: sum(getattr(g, key) for g in level1)
              for key in ("enterprise_count", "online_count", "checkable_count", "check_days")}
    fmap = build_map(layers_named(request.user, ("district", "grids-level1", "enterprises-online")),
                     user=request.user, center=district_centre(), zoom=10, fit_layer="enterprises-online")
    start, end = online_window()
    return render(request, "enterprises/online.html", {
        **map_parts(request, fmap), "level1": level1, "level2": level2, "totals": totals,
        "start": start, "end": end, "window_days": WINDOW_DAYS})


@capability_required(REVIEW_REGISTERS)
def register_changes(request):
    """Changes the enterprises proposed to their registers, pending first, with the difference."""
    pending = list(register_changes_for_user(request.user, status="pending").order_by("proposed_at", "id")[:200])
    decided = list(register_changes_for_user(request.user).exclude(status="pending")[:50])
    return render(request, "enterprises/changes.html", {"pending": pending, "decided": decided})


@capability_required(REVIEW_REGISTERS)
@require_POST
def register_change_action(request, pk: int, action: str):
    change = register_changes_for_user(request.user).filter(pk=pk).first()
    if change is None or action not in ("approve", "return"):
        raise Http404("变更不存在或无权查看")
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        register_change_review(actor=request.user, change=change, approve=action == "approve",
                               note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, "已批准变更" if action == "approve" else "已退回变更")
    return redirect("registers:changes")


@login_required
def enterprise_map(request):
    fmap = build_map(layers_named(request.user, ("district", "grids-level1", "grids-level2",
                                            "enterprises", "risk-points")),
                     user=request.user, center=district_centre(), zoom=10, fit_layer="district")
    return render(request, "grids/map.html", map_parts(request, fmap))
