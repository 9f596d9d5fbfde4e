"""The flood-command desk (防汛指挥): map with drawing, impact page and briefing PDF, stock,
duty. Composed from the flood selectors and services, the open hazards of the inspections
app (impact.py) and the layer registry."""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridmap.accounts.capabilities import COMMAND_FLOODS, capability_required
from gridmap.flood.models import FloodZone
from gridmap.flood.selectors import (
    duty_for_user,
    movements_for_user,
    stock_items_for_user,
    stock_totals,
    zone_for_user,
    zones_for_user,
)
from gridmap.flood.services import preflood_tasks_create, stock_issue, stock_receive
from gridmap.geo.polygons import PolygonError
from gridmap.grids.selectors import district_centre
from layers.declarations import (
    DISPATCH_COLOURS,
    HAZARD_OVERDUE_COLOURS,
    RISK_STYLE_BY,
    SEVERITY_COLOURS,
    STATION_STATE_COLOURS,
)
from layers.maps import build_map, map_context
from layers.registry import layers_named

from .briefing import zone_map_svg
from .forms import ImpactForm, StockFilterForm, StockMoveForm, ZoneTasksForm
from .impact import impact_with_open_hazards

FLOOD_LAYERS = ("district", "rivers", "flood-zones", "flood-basins", "flood-gates", "dikes",
                "pumping-stations", "sluices", "depots", "rescue-teams", "grids-level1",
                "waterlogging-points", "evacuation-villages", "shelters")

command_required = capability_required(COMMAND_FLOODS)


@command_required
def flood_map(request):
    fmap = build_map(layers_named(request.user, FLOOD_LAYERS), user=request.user, center=district_centre(),
                     zoom=10, fit_layer="district")
    zones = zones_for_user(request.user).order_by("kind", "name").only("id", "name", "kind")
    return render(request, "workspaces/flood_map.html", {
        "zones": zones, "kinds": FloodZone.Kind.choices, "palette": LIVE_PALETTE,
        **map_context(fmap, nonce=str(request.csp_nonce))})


# The live map's colours, each the one its meaning has on every map (layers.declarations):
# stations and zones by state, reports by severity, dispatches by state, open hazards by
# deadline, exposed enterprises by risk level; the chosen zone's outline has its own.
LIVE_PALETTE = {
    "state": STATION_STATE_COLOURS, "severity": SEVERITY_COLOURS, "dispatch": DISPATCH_COLOURS,
    "hazard": HAZARD_OVERDUE_COLOURS, "risk": {**RISK_STYLE_BY["values"], "": RISK_STYLE_BY["default"]},
    "chosen": "#304ffe",
}


def _impact_from_request(request) -> tuple[dict, dict]:
    """The impact asked for by ?zone= or ?geometry=&crs=, and the query to repeat it."""
    form = ImpactForm(request.GET)
    if not form.is_valid():
        for field in ("geometry", "crs"):
            if field in form.errors:
                raise PolygonError("；".join(form.errors[field]), field=field)
        raise Http404("；".join(message for errors in form.errors.values() for message in errors))
    started = time.perf_counter()
    result = impact_with_open_hazards(request.user, form.query())
    if result is None:
        raise Http404("责任区不存在")
    result["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result, form.params()


def _context(request, result, params) -> dict:
    return {"x": result, "query": urlencode(params), "distance_m": params["distance_m"],
            "generated_at": timezone.localtime(), "user_name": request.user.full_name or request.user.username,
            "default_due": timezone.localdate() + dt.timedelta(days=7)}


def area_refused_as_400(view):
    """A drawn area or its crs that cannot be used is a 400 naming the parameter."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PolygonError as exc:
            return HttpResponseBadRequest(f"{exc.field}：{exc}", content_type="text/plain; charset=utf-8")

    return wrapped


@command_required
@area_refused_as_400
def impact_page(request):
    result, params = _impact_from_request(request)
    return render(request, "workspaces/flood_impact.html", _context(request, result, params))


_FONT_CONFIG = None


def briefing_pdf_bytes(context: dict, template: str = "workspaces/flood_briefing.html") -> bytes:
    """The briefing as an A4 PDF (Noto CJK from the system fonts, subset on embedding)."""
    global _FONT_CONFIG
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    html = render_to_string(template, {**context, "pdf": True})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_FONT_CONFIG)


@command_required
@area_refused_as_400
def impact_pdf(request):
    result, params = _impact_from_request(request)
    area = GEOSGeometry(json.dumps(result["area"]["geojson"]), srid=4326)
    body = briefing_pdf_bytes({**_context(request, result, params), "map_svg": zone_map_svg(result, area)})
    response = HttpResponse(body, content_type="application/pdf")
    name = f"防汛影响分析_{timezone.localtime():%Y%m%d-%H%M}.pdf"
    response["Content-Disposition"] = (f'attachment; filename="flood-briefing.pdf"; '
                                       f"filename*=UTF-8''{quote(name)}")
    return response


def _refusal(form) -> str:
    return "；".join(message for errors in form.errors.values() for message in errors)


@command_required
@require_POST
def zone_tasks(request, pk: int):
    zone = zone_for_user(request.user, pk)
    if zone is None:
        raise Http404("责任区不存在")
    form = ZoneTasksForm(request.POST)
    if not form.is_valid():
        messages.error(request, _refusal(form))
    else:
        try:
            report = preflood_tasks_create(actor=request.user, zone=zone, due_date=form.cleaned_data["due_date"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"{zone.name}：{report.summary()}")
    return redirect(f"{reverse('flood:exposure')}?zone={zone.pk}")


@command_required
def stock(request, *, status: int = 200):
    low_only = StockFilterForm(request.GET).low_only()
    return render(request, "workspaces/flood_stock.html", {
        "items": stock_items_for_user(request.user, low_only=low_only),
        "low_count": stock_items_for_user(request.user, low_only=True).count(),
        "low_only": low_only, "totals": stock_totals(request.user),
        "movements": movements_for_user(request.user)[:30]}, status=status)


STOCK_ACTIONS = {"receive": stock_receive, "issue": stock_issue}


@command_required
@require_POST
def stock_move(request, pk: int):
    item = stock_items_for_user(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404("物资不存在")
    form = StockMoveForm(request.POST)
    # A refused move answers 400 with the stock page and the reason (nothing was saved).
    if not form.is_valid():
        messages.error(request, f"未保存：{_refusal(form)}")
        return stock(request, status=400)
    data = form.cleaned_data
    try:
        movement = STOCK_ACTIONS[data["kind"]](actor=request.user, item=item, quantity=data["quantity"],
                                               note=data["note"])
    except ValidationError as exc:
        messages.error(request, f"未保存：{'；'.join(exc.messages)}")
        return stock(request, status=400)
    else:
        messages.success(request, f"{item.depot.name}{item.name}{movement.get_kind_display()} "
                                  f"{data['quantity']}{item.unit}，结存 {movement.balance_after}{item.unit}")
    return redirect(reverse("flood:stock") + f"#item-{item.pk}")


@command_required
def duty(request):
    return render(request, "workspaces/flood_duty.html", {
        "shifts": duty_for_user(request.user, days=14), "now": timezone.now()})
