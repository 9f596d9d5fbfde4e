"""Draws the phone app's icons (static/gridmap/field/icon-192.png and icon-512.png): a grid
of cells on the platform's dark blue, one cell highlighted, and a location pin. Run again
after changing the drawing; the PNG files are committed.

    .venv/bin/python scripts/make_app_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "gridmap" / "field"
NAVY, LINE, CELL, PIN = (31, 58, 95), (214, 226, 240), (74, 144, 226), (255, 255, 255)
SCALE = 4  # drawn large and scaled down for smooth edges


def draw(size: int) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGB", (big, big), NAVY)
    pen = ImageDraw.Draw(image)
    # The grid sits inside the maskable safe zone (the central 80 %).
    margin, cells = big * 0.2, 3
    step = (big - 2 * margin) / cells
    pen.rectangle([margin + step, margin + step, margin + 2 * step, margin + 2 * step], fill=CELL)
    width = max(2, big // 90)
    for i in range(cells + 1):
        offset = margin + i * step
        pen.line([(margin, offset), (big - margin, offset)], fill=LINE, width=width)
        pen.line([(offset, margin), (offset, big - margin)], fill=LINE, width=width)
    # A pin standing on the highlighted cell's centre.
    cx, cy, r = big / 2, big / 2 - step * 0.35, step * 0.32
    pen.polygon([(cx - r * 0.8, cy + r * 0.45), (cx + r * 0.8, cy + r * 0.45), (cx, cy + r * 1.9)], fill=PIN)
    pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=PIN)
    pen.ellipse([cx - r * 0.42, cy - r * 0.42, cx + r * 0.42, cy + r * 0.42], fill=NAVY)
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
        print(OUT / f"icon-{size}.png")
