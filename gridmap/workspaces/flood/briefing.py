"""The briefing PDFs' map (drawn on the server as SVG, layers.printmap) and the event
briefing: the area with zones, rivers and level-I grids, the exposed enterprises (hazardous-
chemical sites marked and listed first), depots, situation reports, dispatch destinations and
stations where they exist; the situation summary, roll-call status and what was dispatched."""

from __future__ import annotations

from django.apps import apps
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from gridmap.enterprises.risk import colour as risk_colour
from gridmap.flood.events import selectors as event_selectors
from gridmap.flood.events.models import Event, SituationReport
from gridmap.flood.models import StockMovement, SupplyDepot
from gridmap.flood.selectors import ImpactQuery
from gridmap.grids.models import Grid
from layers.printmap import Frame, SvgMap, paths

from .impact import impact_with_open_hazards

SEVERITY_FILL = {"general": "#fb8c00", "serious": "#dd2c00", "critical": "#880e4f"}
# Enterprises near a report are exposed when the event has no drawn area.
REPORT_REACH_M = 1000


def _station_points(frame: Frame) -> list[tuple[float, float]]:
    """Gauging stations inside the frame, where the station model exists (it comes with the
    readings of issue 17 part 1); none otherwise."""
    try:
        model = apps.get_model("flood", "Station")
    except LookupError:
        return []
    field = next((f.name for f in model._meta.get_fields() if getattr(f, "geom_type", None) == "POINT"), None)
    if field is None:
        return []
    envelope = GEOSGeometry(f"SRID=4326;POLYGON(({frame.lon0} {frame.lat0},{frame.lon1} {frame.lat0},"
                            f"{frame.lon1} {frame.lat1},{frame.lon0} {frame.lat1},{frame.lon0} {frame.lat0}))")
    return [(p.x, p.y) for p in model.objects.filter(**{f"{field}__intersects": envelope})
            .values_list(field, flat=True)[:500]]


def area_map_svg(*, area: GEOSGeometry, title: str, enterprises: list[dict], depots: list[dict],
                 reports: list[dict] = (), destinations: list[tuple[float, float]] = ()) -> str:
    """The area of a briefing and what is in and around it, as SVG for the PDF."""
    frame = Frame.around(area.extent)
    svg = SvgMap(frame, title=title)
    svg.outlines(paths(frame, "SELECT geom AS g FROM flood_floodzone"), stroke="#00897b", fill="#00897b",
                 opacity=0.05, width=0.6, dash="3 2", label="防汛责任区")
    svg.outlines(paths(frame, "SELECT geom AS g FROM grids_grid WHERE level = %s AND valid_to IS NULL",
                       [Grid.Level.LEVEL_1]),
                 stroke="#3949ab", width=0.8, label="一级网格")
    svg.outlines(paths(frame, "SELECT geom AS g FROM flood_river"), stroke="#1e88e5", width=1.6, label="河流")
    svg.outlines(paths(frame, "SELECT ST_GeomFromEWKB(%s) AS g", [bytes(area.ewkb)]), stroke="#c62828",
                 fill="#ef5350", opacity=0.08, width=2.2, label="范围")
    ordinary = [(e["lon"], e["lat"], e.get("risk_level") or "") for e in enterprises if not e["hazardous_chemicals"]]
    for level in sorted({lvl for _, _, lvl in ordinary}):
        svg.points([(x, y) for x, y, lvl in ordinary if lvl == level], size=2.2, fill=risk_colour(level), stroke="#555")
    svg.points([(e["lon"], e["lat"]) for e in enterprises if e["hazardous_chemicals"]], shape="triangle", size=4.5,
               fill="#d50000", stroke="#000", label="涉危化品企业（编号同清单）", numbered=True)
    if ordinary:
        svg.legend.append(('<circle cx="7" cy="5" r="3" fill="#888" stroke="#555"/>', "其他受影响企业（按风险着色）"))
    svg.points(_station_points(frame), shape="diamond", size=4, fill="#0277bd", label="水雨情站")
    svg.points([(d["lon"], d["lat"]) for d in depots], shape="square", size=4, fill="#ef6c00", stroke="#000",
               label="防汛物资仓库")
    for severity, fill in SEVERITY_FILL.items():
        label = dict(SituationReport.Severity.choices)[severity]
        svg.points([(r["lon"], r["lat"]) for r in reports if r["severity"] == severity], size=4.5, fill=fill,
                   stroke="#000", label=f"险情（{label}）")
    svg.points(list(destinations), shape="diamond", size=4, fill="#0d47a1", label="调度目的地")
    return svg.svg()


def _enterprises_near(points: list[tuple[float, float]]) -> list[dict]:
    """Open enterprises within REPORT_REACH_M of any of the points, hazardous-chemical first."""
    if not points:
        return []
    multipoint = "MULTIPOINT(" + ",".join(f"({x} {y})" for x, y in points) + ")"
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT e.id, e.name, e.credit_code, e.hazardous_chemicals, e.risk_level, e.safety_contact,
                   e.safety_phone, ST_X(e.location), ST_Y(e.location), c.name
            FROM enterprises_enterprise e LEFT JOIN grids_grid c ON c.id = e.cell_id
            WHERE e.status <> 'closed'
              AND ST_DWithin(e.location::geography, ST_GeomFromText(%s, 4326)::geography, %s)
            ORDER BY e.hazardous_chemicals DESC, e.name, e.id LIMIT 300""", [multipoint, REPORT_REACH_M])
        keys = ("id", "name", "credit_code", "hazardous_chemicals", "risk_level", "safety_contact", "safety_phone",
                "lon", "lat", "cell_name")
        return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]


def event_briefing_context(user, event: Event) -> dict:
    """What the event briefing prints."""
    reports = [{"lon": r.position.x, "lat": r.position.y, "severity": r.severity, "kind": r.get_kind_display(),
                "severity_name": r.get_severity_display(), "description": r.description, "cell": r.cell.name,
                "reporter": r.reporter.full_name or r.reporter.username, "time": r.reported_at}
               for r in event.reports.select_related("cell", "reporter").order_by("reported_at", "id")]
    if event.area is not None:
        impact = impact_with_open_hazards(user, ImpactQuery(area=event.area))
        enterprises, depots, area = impact["enterprises"], impact["depots"], event.area
        exposure_note = "事件范围内"
    else:
        enterprises = _enterprises_near([(r["lon"], r["lat"]) for r in reports])
        depots = [{"name": d.name, "lon": d.location.x, "lat": d.location.y}
                  for d in SupplyDepot.objects.filter(dispatches__event=event).distinct()]
        area = Grid.objects.filter(level=Grid.Level.DISTRICT).values_list("geom", flat=True).first()
        exposure_note = f"事件未划定范围：列出险情报告点 {REPORT_REACH_M} m 以内"
    dispatches = list(event.dispatches.select_related("depot").prefetch_related("deployments__team"))
    roll_call = event_selectors.roll_calls_of(event).first()
    hazardous = [e for e in enterprises if e["hazardous_chemicals"]]
    return {
        "event": event, "generated_at": timezone.localtime(), "user_name": user.full_name or user.username,
        "map_svg": area_map_svg(area=area, title=event.name, enterprises=enterprises, depots=depots, reports=reports,
                                destinations=[(d.destination.x, d.destination.y) for d in dispatches]),
        "timeline": [e for e in event_selectors.timeline(event)
                     if e.kind in ("opened", "level_change", "consultation", "order", "closed")],
        "reports": reports, "report_counts": event_selectors.report_counts(event),
        "roll_call": roll_call,
        "unanswered": (list(roll_call.answers.filter(answered_at__isnull=True).select_related("post")
                            .order_by("post__kind", "post__name")) if roll_call else []),
        "stock_sent": list(StockMovement.objects.filter(event=event).values("item__code", "item__name", "item__unit")
                           .annotate(total=Sum("quantity")).order_by("item__code")),
        "dispatches": dispatches,
        "enterprises": hazardous + [e for e in enterprises if not e["hazardous_chemicals"]],
        "hazardous_count": len(hazardous), "exposure_note": exposure_note,
    }


def zone_map_svg(result: dict, area: GEOSGeometry) -> str:
    """The map of the impact briefing (a zone or a drawn area): with the situation reports of
    open events inside the area."""
    reports = [{"lon": p.x, "lat": p.y, "severity": s} for p, s in
               SituationReport.objects.filter(event__ended_at__isnull=True, position__intersects=area)
               .values_list("position", "severity")[:500]]
    title = result.get("zone", {}).get("name", "绘制范围")
    return area_map_svg(area=area, title=title, enterprises=result["enterprises"], depots=result["depots"],
                        reports=reports)
