"""Server-side SVG charts (no script, no CDN): they print and pass the CSP as they are."""

from __future__ import annotations

from django.utils.html import escape


def bar_chart(pairs: list[tuple[str, float]], *, title: str, colour: str = "#1565c0", width: int = 640,
              unit: str = "") -> str:
    """A horizontal bar chart of (label, value) pairs, all counted in one unit (shown after
    each value)."""
    bar_h, gap, left, top = 18, 6, 170, 28
    height = top + len(pairs) * (bar_h + gap) + 10
    peak = max((v for _, v in pairs), default=0) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{escape(title)}" font-family="Noto Sans CJK SC, sans-serif">',
           f'<text x="4" y="18" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(pairs):
        y = top + i * (bar_h + gap)
        w = (width - left - 80) * (value / peak)
        shown = f"{value:,.0f}{' ' + unit if unit else ''}"
        out.append(f'<text x="{left - 6}" y="{y + 13}" font-size="12" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + 13}" font-size="12">{shown}</text>')
    out.append("</svg>")
    return "".join(out)
