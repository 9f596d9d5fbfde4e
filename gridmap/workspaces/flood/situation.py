"""The command map's live picture (/api/flood/situation/): several parts composed by name.

Each part names the tables it is read from; the picture's tag comes from their data versions
(core.DataVersion, moved by triggers on every write), so a map asking again when nothing has
changed is answered 304 without reading any part. Parts from other apps (situation reports,
dispatches, open hazards of inspections) are declared here too: flood does not import them,
and nothing registers code into flood.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponseNotModified
from django.utils import timezone

from gridmap.accounts.capabilities import COMMAND_FLOODS, Capability
from gridmap.core import versions
from gridmap.core.geojson import feature_collection
from gridmap.flood.gauges import STALE_AFTER, STATION_TABLES, stations_for_user
from gridmap.flood.live import (
    DISPATCH_PROPERTIES,
    DISPATCH_TABLES,
    REPORT_PROPERTIES,
    REPORT_TABLES,
    ZONE_PROPERTIES,
    ZONE_STATE_TABLES,
    ZONE_TABLES,
    live_dispatches,
    live_reports,
    zone_outlines,
    zone_states,
)
from gridmap.inspections.selectors import open_hazards_for_map

STATION_PROPERTIES = ("code", "name", "kind", "kind_name", "river_name", "state", "state_name", "stale",
                      "latest_value", "latest_time", "rain_24h_mm", "warning_level", "guarantee_level",
                      "generated")


@dataclass(frozen=True)
class Part:
    name: str
    # The tables the part is read from: a write to any of them changes the picture's tag.
    tables: tuple[str, ...]
    build: Callable[..., object]
    capability: Capability | None = COMMAND_FLOODS
    # Parts that change with the clock alone (a station falling silent becomes stale): the
    # tag also carries the time in steps of this many seconds.
    clock_step_s: int | None = None

    def allowed(self, user) -> bool:
        return self.capability is None or self.capability.allows(user)


HAZARD_PROPERTIES = ("enterprise_name", "cell_code", "level", "level_name", "status", "status_name", "due",
                     "overdue")
# The open hazards' data (inspections, with the enterprise's name and the cell's code).
HAZARD_TABLES = ("inspections_hazard", "enterprises_enterprise", "grids_grid")


def _collection(queryset, geom: str, properties: tuple[str, ...], precision: int = 6) -> dict:
    return json.loads(feature_collection(queryset, geom=geom, properties=properties, precision=precision))


def _stations(user) -> dict:
    return _collection(stations_for_user(user), "location", STATION_PROPERTIES)


def _reports(user) -> dict:
    return _collection(live_reports(user), "position", REPORT_PROPERTIES)


def _dispatches(user) -> dict:
    return _collection(live_dispatches(user), "destination", DISPATCH_PROPERTIES)


def _hazards(user) -> dict:
    return _collection(open_hazards_for_map(user), "location", HAZARD_PROPERTIES)


def _zones(user) -> dict:
    return _collection(zone_outlines(user), "live_geom", ZONE_PROPERTIES, precision=5)


PARTS: dict[str, Part] = {part.name: part for part in (
    # Stale comes 6 hours after a station's last reading: a minute's step is soon enough.
    Part("stations", STATION_TABLES, _stations, clock_step_s=60),
    # A report without an open event leaves the picture 48 hours after it was made.
    Part("reports", REPORT_TABLES, _reports, clock_step_s=60),
    Part("dispatches", DISPATCH_TABLES, _dispatches),
    # A hazard becomes overdue when its day passes.
    Part("hazards", HAZARD_TABLES, _hazards, clock_step_s=600),
    # The zones' outlines, and apart from them their states (what a reading or a report moves).
    Part("zones", ZONE_TABLES, _zones),
    Part("zone_states", ZONE_STATE_TABLES, zone_states, clock_step_s=60),
)}


class UnknownPart(ValueError):
    pass


def parts_named(user, names: list[str] | None) -> list[Part]:
    """The parts asked for (all by default) that the user may see; an unknown name is refused."""
    if not names:
        return [part for part in PARTS.values() if part.allowed(user)]
    unknown = [name for name in names if name not in PARTS]
    if unknown:
        raise UnknownPart(f"未知的部分：{'、'.join(unknown)}（可选：{'、'.join(PARTS)}）")
    return [PARTS[name] for name in dict.fromkeys(names) if PARTS[name].allowed(user)]


def part_tags(user, parts: list[Part]) -> dict[str, str]:
    """Each part's tag from its tables' versions, its clock step and who asks (the parts apply
    the caller's scope): no part is built to make them."""
    current = versions.current()
    now = time.time()
    tags = {}
    for part in parts:
        key = [str(user.pk), part.name, *(str(token) for token in versions.of(part.tables, current))]
        if part.clock_step_s:
            key.append(str(int(now // part.clock_step_s)))
        tags[part.name] = hashlib.blake2b("|".join(key).encode(), digest_size=9).hexdigest()
    return tags


def situation_tag(tags: dict[str, str]) -> str:
    """The picture's weak ETag: its parts' tags together."""
    joined = "|".join(f"{name}:{tag}" for name, tag in tags.items())
    return 'W/"' + hashlib.blake2b(joined.encode(), digest_size=12).hexdigest() + '"'


def known_tags(text: str) -> dict[str, str]:
    """`known=stations:<tag>,hazards:<tag>`: the parts the map already holds, as their tags."""
    pairs = (item.split(":", 1) for item in text.split(",") if ":" in item)
    return {name.strip(): tag.strip() for name, tag in pairs}


def situation(user, parts: list[Part], tags: dict[str, str] | None = None,
              known: dict[str, str] | None = None) -> dict:
    """The picture: every part asked for, except those the map says it holds at their current
    tag (`known`), which are named in `kept` and not built (the open hazards of the district
    are not re-sent because a reading arrived)."""
    tags = tags if tags is not None else part_tags(user, parts)
    known = known or {}
    kept = [part.name for part in parts if known.get(part.name) == tags[part.name]]
    return {"generated_at": timezone.now().isoformat(), "stale_after_hours": STALE_AFTER.total_seconds() / 3600,
            "tags": tags, "kept": kept,
            "parts": {part.name: part.build(user) for part in parts if part.name not in kept}}


def not_modified_response(etag: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    return response
