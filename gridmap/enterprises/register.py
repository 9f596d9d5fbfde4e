"""The register (一企一册): its content, the four-colour site map as SVG, and the PDF.

No national template exists (domain.md §3); the register holds the enterprise's facts, the
four-colour site map, the risk-point list and emergency notes, and open hazards once the
inspections app exists. The site map is drawn here as SVG so that it needs no tiles and
prints the same in the browser and in WeasyPrint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Enterprise, RiskPoint
from .risk import LEVEL_ORDER, SHORT_LABELS, TIER_LABELS, colour, methods
from .selectors import last_approved_change

SVG_W, SVG_H, MARGIN = 640, 440, 36


@dataclass
class _Frame:
    lon0: float
    lat0: float
    scale: float  # pixels per metre
    ox: float
    oy: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        mx = (lon - self.lon0) * 111_320 * math.cos(math.radians(self.lat0))
        my = (lat - self.lat0) * 110_574
        return self.ox + mx * self.scale, self.oy - my * self.scale


def _rings(geom) -> list[list[tuple[float, float]]]:
    if geom.geom_type == "Polygon":
        return [list(geom[0].coords)]
    if geom.geom_type == "MultiPolygon":
        return [list(p[0].coords) for p in geom]
    return []


def _nice_length(metres: float) -> int:
    for step in (10, 20, 50, 100, 200, 500, 1000, 2000):
        if step >= metres:
            return step
    return 5000


def site_map_svg(enterprise: Enterprise, points: list[RiskPoint]) -> str:
    """安全风险四色分布图: the site outline with each located risk point coloured by level."""
    geoms = [enterprise.site or enterprise.location] + [p.location for p in points if p.location]
    xs, ys = [], []
    for g in geoms:
        x0, y0, x1, y1 = g.extent
        xs += [x0, x1]
        ys += [y0, y1]
    lon0, lat0 = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    width_m = max((max(xs) - min(xs)) * 111_320 * math.cos(math.radians(lat0)), 60)
    height_m = max((max(ys) - min(ys)) * 110_574, 60)
    scale = min((SVG_W - 2 * MARGIN - 150) / width_m, (SVG_H - 2 * MARGIN) / height_m)
    frame = _Frame(lon0, lat0, scale, MARGIN + (SVG_W - 2 * MARGIN - 150) / 2, SVG_H / 2)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="site-map" viewBox="0 0 {SVG_W} {SVG_H}" '
           'font-family="Noto Sans CJK SC, sans-serif" role="img" aria-label="安全风险四色分布图">',
           f'<rect x="0" y="0" width="{SVG_W}" height="{SVG_H}" fill="#fbfbf8" stroke="#999"/>']
    if enterprise.site:
        for ring in _rings(enterprise.site):
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in (frame.xy(*c) for c in ring))
            out.append(f'<polygon points="{d}" fill="#eceff1" stroke="#37474f" stroke-width="2"/>')
    else:
        out.append(f'<text x="{MARGIN}" y="{SVG_H - 12}" font-size="12" fill="#b71c1c">'
                   '未提供厂区范围：仅按位置示意</text>')
    ex, ey = frame.xy(enterprise.location.x, enterprise.location.y)
    out.append(f'<path d="M{ex:.1f},{ey - 9:.1f} l6,9 l-6,9 l-6,-9 z" fill="#37474f"/>')
    for point in points:
        if point.location is None:
            continue
        fill = colour(point.level)
        if point.location.geom_type in ("Polygon", "MultiPolygon"):
            for ring in _rings(point.location):
                d = " ".join(f"{x:.1f},{y:.1f}" for x, y in (frame.xy(*c) for c in ring))
                out.append(f'<polygon points="{d}" fill="{fill}" fill-opacity="0.75" '
                           f'stroke="#333" stroke-width="1"/>')
            cx, cy = frame.xy(*point.location.point_on_surface.coords)
        else:
            cx, cy = frame.xy(*point.location.centroid.coords)
            out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10" fill="{fill}" '
                       f'stroke="#333" stroke-width="1"/>')
        out.append(f'<text x="{cx:.1f}" y="{cy + 4:.1f}" font-size="11" text-anchor="middle" '
                   f'font-weight="bold" fill="#111">{point.number}</text>')
    # Legend, north arrow and scale bar.
    lx = SVG_W - 150
    out.append(f'<rect x="{lx}" y="16" width="136" height="128" fill="#fff" stroke="#bbb"/>')
    out.append(f'<text x="{lx + 10}" y="36" font-size="13" font-weight="bold">图例</text>')
    for i, level in enumerate(LEVEL_ORDER):
        y = 50 + i * 22
        out.append(f'<rect x="{lx + 10}" y="{y}" width="18" height="14" fill="{colour(level)}" '
                   'stroke="#333" stroke-width="0.5"/>')
        out.append(f'<text x="{lx + 36}" y="{y + 12}" font-size="12">{SHORT_LABELS[level]}风险</text>')
    out.append(f'<g transform="translate({SVG_W - 40},{SVG_H - 110})">'
               '<path d="M0,-22 L8,6 L0,0 L-8,6 Z" fill="#333"/>'
               '<text x="0" y="22" font-size="12" text-anchor="middle">北</text></g>')
    bar_m = _nice_length(60 / scale)
    bar_px = bar_m * scale
    out.append(f'<g transform="translate({SVG_W - 150},{SVG_H - 30})">'
               f'<rect x="0" y="0" width="{bar_px:.1f}" height="5" fill="#333"/>'
               f'<text x="0" y="-4" font-size="11">0</text>'
               f'<text x="{bar_px:.1f}" y="-4" font-size="11" text-anchor="middle">{bar_m} m</text></g>')
    out.append("</svg>")
    return "".join(out)


def register_context(enterprise: Enterprise, points: list[RiskPoint]) -> dict:
    for point in points:
        point.colour = colour(point.level)
    counts = {level: sum(1 for p in points if p.level == level)
              for level in LEVEL_ORDER}
    return {
        "enterprise": enterprise,
        "points": points,
        "site_map": site_map_svg(enterprise, points),
        "level_counts": [(SHORT_LABELS[k], colour(k), n) for k, n in counts.items()],
        "level_name": SHORT_LABELS.get(enterprise.risk_level, "未评估"),
        "level_colour": colour(enterprise.risk_level),
        "methods": [(code, m["label"], m["formula"],
                     "；".join(f"{'＞' if op == '>' else '≥'} {bound} 为{SHORT_LABELS[level]}风险"
                              for level, op, bound in m["bands"]))
                    for code, m in methods().items()],
        "tier_labels": TIER_LABELS,
        "unlocated": [p for p in points if p.location is None],
        "generated_at": timezone.localtime(),
        # Hazards come from the inspections app (issue 5); until it exists the section says so.
        "inspections_enabled": apps.is_installed("gridmap.inspections"),
        "open_hazards": _open_hazards(enterprise),
        "last_change": last_approved_change(enterprise.pk),
    }


def _open_hazards(enterprise: Enterprise) -> list:
    """The enterprise's hazards not yet closed (销号), looked up by app label: inspections
    builds on enterprises, so enterprises does not import it."""
    if not apps.is_installed("gridmap.inspections") or enterprise.pk is None:
        return []
    hazard = apps.get_model("inspections", "Hazard")
    return list(hazard.objects.filter(enterprise=enterprise).exclude(status="closed")
                .order_by("deadline", "id")[:100])


_FONT_CONFIG = None


def register_pdf(enterprise: Enterprise, points: list[RiskPoint]) -> bytes:
    """The register as an A4 PDF (Noto CJK from the system fonts, subset on embedding)."""
    global _FONT_CONFIG
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    html = render_to_string("enterprises/register_document.html",
                            {**register_context(enterprise, points), "pdf": True})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_FONT_CONFIG)


def register_filename(enterprise: Enterprise) -> str:
    safe = "".join(ch for ch in enterprise.name if ch not in '\\/:*?"<>|').strip()
    return f"{enterprise.credit_code}_{safe}.pdf"


def write_register(enterprise: Enterprise, points: list[RiskPoint], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / register_filename(enterprise)
    path.write_bytes(register_pdf(enterprise, points))
    return path

