"""Maps drawn on the server as SVG, for PDFs (WeasyPrint prints SVG as vectors, needs no
tiles and no network). The frame is an equirectangular projection at the centre latitude,
good to a fraction of a percent across a district; PostGIS writes the outlines as SVG paths
(ST_AsSVG after an affine transform into the frame), Python places the points."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from django.db import connection

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class Frame:
    """Lon/lat to SVG pixels: x grows east, y grows south."""

    lon0: float
    lat0: float
    lon1: float
    lat1: float
    width: int
    height: int
    margin: int = 16

    @classmethod
    def around(cls, extent: tuple[float, float, float, float], *, width: int = 680, height: int = 480,
               pad: float = 0.08) -> Frame:
        """The smallest frame holding the extent (padded), keeping metres square."""
        x0, y0, x1, y1 = extent
        lat = (y0 + y1) / 2
        kx = math.cos(math.radians(lat)) * M_PER_DEG_LON_EQUATOR / M_PER_DEG_LAT
        w, h = max(x1 - x0, 0.005) * kx, max(y1 - y0, 0.005)
        w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
        inner_w, inner_h = width - 32, height - 32
        if w / h > inner_w / inner_h:
            h = w * inner_h / inner_w
        else:
            w = h * inner_w / inner_h
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return cls(cx - w / kx / 2, cy - h / 2, cx + w / kx / 2, cy + h / 2, width, height)

    @property
    def sx(self) -> float:
        return (self.width - 2 * self.margin) / (self.lon1 - self.lon0)

    @property
    def sy(self) -> float:
        return (self.height - 2 * self.margin) / (self.lat1 - self.lat0)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.margin + (lon - self.lon0) * self.sx, self.height - self.margin - (lat - self.lat0) * self.sy)

    def metres_per_pixel(self) -> float:
        return M_PER_DEG_LAT / self.sy

    def affine_sql(self, column: str) -> str:
        """The column moved into the frame, for ST_AsSVG (which writes -y; so y is scaled up
        and shifted so that its negation is the pixel row)."""
        return (f"ST_Affine({column}, {self.sx!r}, 0, 0, {self.sy!r}, "
                f"{self.margin - self.lon0 * self.sx!r}, {-self.lat0 * self.sy - self.height + self.margin!r})")

    def envelope_sql(self) -> str:
        return f"ST_MakeEnvelope({self.lon0!r}, {self.lat0!r}, {self.lon1!r}, {self.lat1!r}, 4326)"


def paths(frame: Frame, sql: str, params=()) -> list[str]:
    """SVG path data of the geometries a query returns (its one column `g`, SRID 4326),
    clipped to the frame."""
    wrapped = (f"SELECT ST_AsSVG({frame.affine_sql('ST_Intersection(q.g, ' + frame.envelope_sql() + ')')}, 0, 1) "
               f"FROM ({sql}) q WHERE q.g && {frame.envelope_sql()}")
    with connection.cursor() as cursor:
        cursor.execute(wrapped, params)
        return [row[0] for row in cursor.fetchall() if row[0]]


@dataclass
class SvgMap:
    frame: Frame
    title: str = "地图"
    parts: list[str] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (swatch svg, label)

    def outlines(self, data: list[str], *, stroke: str, fill: str = "none", width: float = 1.0,
                 opacity: float = 1.0, dash: str = "", label: str = "") -> None:
        style = (f'fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" stroke-width="{width}"'
                 + (f' stroke-dasharray="{dash}"' if dash else ""))
        self.parts += [f'<path d="{d}" {style} fill-rule="evenodd"/>' for d in data]
        if label and data:
            self.legend.append((f'<rect width="14" height="10" {style}/>', label))

    def points(self, items: list[tuple[float, float]], *, shape: str = "circle", size: float = 4,
               fill: str = "#000", stroke: str = "#fff", label: str = "", numbered: bool = False) -> None:
        for index, (lon, lat) in enumerate(items, start=1):
            x, y = self.frame.xy(lon, lat)
            if not (0 <= x <= self.frame.width and 0 <= y <= self.frame.height):
                continue  # outside the picture (the numbering still follows the list)
            self.parts.append(_marker(shape, x, y, size, fill, stroke))
            if numbered:
                self.parts.append(f'<text x="{x + size + 1:.1f}" y="{y + 3:.1f}" font-size="9" '
                                  f'fill="#111">{index}</text>')
        if label and items:
            self.legend.append((_marker(shape, 7, 5, min(size, 5), fill, stroke), label))

    def svg(self) -> str:
        f = self.frame
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="print-map" viewBox="0 0 {f.width} {f.height}" '
               f'width="{f.width}" height="{f.height}" font-family="Noto Sans CJK SC, sans-serif" role="img" '
               f'aria-label="{escape(self.title)}">',
               f'<rect x="0" y="0" width="{f.width}" height="{f.height}" fill="#fbfbf8" stroke="#999"/>',
               *self.parts]
        # Legend, north arrow and scale bar.
        if self.legend:
            h = 14 + 16 * len(self.legend)
            out.append(f'<g transform="translate({f.width - 170},{f.height - h - 8})">'
                       f'<rect width="162" height="{h}" fill="#fff" fill-opacity="0.9" stroke="#bbb"/>')
            for i, (swatch, label) in enumerate(self.legend):
                out.append(f'<g transform="translate(8,{8 + 16 * i})">{swatch}'
                           f'<text x="20" y="9" font-size="10">{escape(label)}</text></g>')
            out.append("</g>")
        out.append(f'<g transform="translate({f.width - 28},40)"><path d="M0,-22 L8,6 L0,0 L-8,6 Z" fill="#333"/>'
                   '<text x="0" y="20" font-size="11" text-anchor="middle">北</text></g>')
        bar_m = _nice(f.metres_per_pixel() * 120)
        bar_px = bar_m / f.metres_per_pixel()
        label = f"{bar_m // 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m"
        out.append(f'<g transform="translate(20,{f.height - 20})"><rect width="{bar_px:.1f}" height="4" fill="#333"/>'
                   f'<text x="0" y="-4" font-size="10">0</text>'
                   f'<text x="{bar_px:.1f}" y="-4" font-size="10" text-anchor="middle">{label}</text></g>')
        out.append("</svg>")
        return "".join(out)


def _marker(shape: str, x: float, y: float, size: float, fill: str, stroke: str) -> str:
    if shape == "triangle":
        return (f'<path d="M{x:.1f},{y - size * 1.3:.1f} L{x + size * 1.2:.1f},{y + size * 0.8:.1f} '
                f'L{x - size * 1.2:.1f},{y + size * 0.8:.1f} Z" fill="{fill}" stroke="{stroke}" stroke-width="0.8"/>')
    if shape == "square":
        return (f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="0.8"/>')
    if shape == "diamond":
        return (f'<path d="M{x:.1f},{y - size * 1.3:.1f} l{size * 1.3:.1f},{size * 1.3:.1f} '
                f'l{-size * 1.3:.1f},{size * 1.3:.1f} l{-size * 1.3:.1f},{-size * 1.3:.1f} Z" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="0.8"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="0.8"/>'


def _nice(metres: float) -> float:
    for step in (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000):
        if step >= metres:
            return step
    return 50000
