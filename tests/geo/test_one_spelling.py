"""The coordinate-system names are spelled in one module (gridmap/geo/coords.py); the photo
limits in one (gridmap/geo/photos.py); inspections does not reach into patrols for them."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRS_NAME = re.compile(r"""["'](wgs84|gcj02|bd09|cgcs2000)["']""")


def sources():
    for folder in ("gridmap", "layers", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                yield path


def test_crs_names_are_spelled_only_in_geo_coords():
    found = [f"{p.relative_to(ROOT)}:{n}" for p in sources() if p.name != "coords.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if CRS_NAME.search(line)]
    assert found == []


def test_inspections_imports_no_patrols_and_photo_limits_live_in_geo():
    inspections = [p for p in (ROOT / "gridmap" / "inspections").rglob("*.py")
                   if "gridmap.patrols" in p.read_text(encoding="utf-8")]
    assert inspections == []
    limits = [p for p in sources() if p.name != "photos.py"
              and re.search(r"MAX_PHOTOS\s*=|PHOTO_MAX_BYTES|max_length=6\b", p.read_text(encoding="utf-8"))]
    assert limits == []
