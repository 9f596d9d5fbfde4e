"""The flood-command desk (防汛指挥): map with drawing, exposure page and briefing PDF, stock,
duty. Composed from the flood selectors and services and the layer registry."""

from __future__ import annotations

import datetime as dt
import functools
import time
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridmap.flood.models import FloodZone
from gridmap.flood.selectors import (
    ExposureQuery,
    can_command,
    duty_for_user,
    exposure,
    movements_for_user,
    stock_items_for_user,
    stock_totals,
    zone_for_user,
    zones_for_user,
)
from gridmap.flood.services import preflood_tasks_create, stock_issue, stock_receive
from gridmap.geo.coords import DEFAULT_CRS
from gridmap.geo.polygons import PolygonError, polygon_input
from gridmap.grids.selectors import district_centre
from layers.maps import build_map, map_context
from layers.registry import layers_named

from .access import allowed_only

FLOOD_LAYERS = ("district", "rivers", "flood-zones", "flood-basins", "flood-gates", "dikes",
                "pumping-stations", "sluices", "depots", "rescue-teams", "grids-level1")


command_required = allowed_only(can_command, "只有防汛指挥、监管人员和系统管理员可以访问防汛功能")


@command_required
def flood_map(request):
    fmap = build_map(layers_named(request.user, FLOOD_LAYERS), user=request.user, center=district_centre(),
                     zoom=10, fit_layer="district")
    zones = zones_for_user(request.user).order_by("kind", "name").only("id", "name", "kind")
    return render(request, "workspaces/flood_map.html", {
        "zones": zones, "kinds": FloodZone.Kind.choices, **map_context(fmap, nonce=str(request.csp_nonce))})


def _exposure_from_request(request) -> tuple[dict, dict]:
    """The exposure asked for by ?zone= or ?geometry=&crs=, and the query to repeat it."""
    params = {}
    try:
        k = int(request.GET.get("k", 5))
        distance = float(request.GET.get("distance_m", 2000))
    except ValueError as exc:
        raise Http404("参数格式错误") from exc
    if request.GET.get("zone"):
        try:
            zone_id = int(request.GET["zone"])
        except ValueError as exc:
            raise Http404("责任区不存在") from exc
        query = ExposureQuery(zone_id=zone_id, k=k, distance_m=distance)
        params["zone"] = zone_id
    elif request.GET.get("geometry"):
        area = polygon_input(request.GET["geometry"], crs=request.GET.get("crs"))
        query = ExposureQuery(area=area, k=k, distance_m=distance)
        params.update(geometry=request.GET["geometry"], crs=request.GET.get("crs", DEFAULT_CRS))
    else:
        raise Http404("请选择责任区或绘制范围")
    started = time.perf_counter()
    result = exposure(request.user, query)
    if result is None:
        raise Http404("责任区不存在")
    result["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    params.update(k=k, distance_m=distance)
    return result, params


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
def exposure_page(request):
    result, params = _exposure_from_request(request)
    return render(request, "workspaces/flood_exposure.html", _context(request, result, params))


_FONT_CONFIG = None


def briefing_pdf_bytes(context: dict) -> bytes:
    """The briefing as an A4 PDF (Noto CJK from the system fonts, subset on embedding)."""
    global _FONT_CONFIG
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    html = render_to_string("workspaces/flood_briefing.html", {**context, "pdf": True})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_FONT_CONFIG)


@command_required
@area_refused_as_400
def exposure_pdf(request):
    result, params = _exposure_from_request(request)
    body = briefing_pdf_bytes(_context(request, result, params))
    response = HttpResponse(body, content_type="application/pdf")
    name = f"防汛受影响分析_{timezone.localtime():%Y%m%d-%H%M}.pdf"
    response["Content-Disposition"] = (f'attachment; filename="flood-briefing.pdf"; '
                                       f"filename*=UTF-8''{quote(name)}")
    return response


@command_required
@require_POST
def zone_tasks(request, pk: int):
    zone = zone_for_user(request.user, pk)
    if zone is None:
        raise Http404("责任区不存在")
    try:
        due = dt.date.fromisoformat(request.POST.get("due_date", ""))
    except ValueError:
        messages.error(request, "请填写有效的完成期限")
    else:
        try:
            report = preflood_tasks_create(actor=request.user, zone=zone, due_date=due)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"{zone.name}：{report.summary()}")
    return redirect(f"{reverse('flood:exposure')}?zone={zone.pk}")


@command_required
def stock(request):
    low_only = request.GET.get("low") == "1"
    return render(request, "workspaces/flood_stock.html", {
        "items": stock_items_for_user(request.user, low_only=low_only),
        "low_count": stock_items_for_user(request.user, low_only=True).count(),
        "low_only": low_only, "totals": stock_totals(request.user),
        "movements": movements_for_user(request.user)[:30]})


@command_required
@require_POST
def stock_move(request, pk: int):
    item = stock_items_for_user(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404("物资不存在")
    action = {"receive": stock_receive, "issue": stock_issue}.get(request.POST.get("kind", ""))
    try:
        quantity = int(request.POST.get("quantity", ""))
    except ValueError:
        quantity = 0
    if action is None:
        messages.error(request, "未知操作")
    else:
        try:
            movement = action(actor=request.user, item=item, quantity=quantity,
                              note=request.POST.get("note", "").strip())
        except ValidationError as exc:
            messages.error(request, f"未保存：{'；'.join(exc.messages)}")
        else:
            messages.success(request, f"{item.depot.name}{item.name}{movement.get_kind_display()} "
                                      f"{quantity}{item.unit}，结存 {movement.balance_after}{item.unit}")
    return redirect(reverse("flood:stock") + f"#item-{item.pk}")


@command_required
def duty(request):
    return render(request, "workspaces/flood_duty.html", {
        "shifts": duty_for_user(request.user, days=14), "now": timezone.now()})


