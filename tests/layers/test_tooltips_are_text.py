"""Leaflet inserts a string tooltip or popup as HTML: names typed by people (enterprises,
cells, officers) must reach it as DOM nodes with textContent, never as strings (issue 23)."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static" / "gridmap"
# A constant string literal, or a node made with textContent (map.js `label`, area.js `el(...)`).
SAFE_ARGUMENT = re.compile(r"""^\s*("[^"+]*"|'[^'+]*'|label\b|el\()""")


def test_tooltips_and_popups_get_nodes_or_constants():
    unsafe = []
    for script in sorted(STATIC.glob("*.js")):
        text = script.read_text(encoding="utf-8")
        for match in re.finditer(r"\.bind(Tooltip|Popup)\(", text):
            argument = text[match.end():match.end() + 60]
            if match.group(1) == "Popup" and argument.lstrip().startswith("function"):
                continue  # map.js builds the popup node with textContent (popupFor)
            if not SAFE_ARGUMENT.match(argument):
                line = text.count("\n", 0, match.start()) + 1
                unsafe.append(f"{script.name}:{line}: {argument.splitlines()[0]}")
    assert unsafe == []
