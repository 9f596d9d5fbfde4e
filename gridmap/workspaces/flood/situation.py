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


def _stations(user) -> dict:
    return json.loads(feature_collection(stations_for_user(user), geom="location",
                                         properties=STATION_PROPERTIES))


PARTS: dict[str, Part] = {part.name: part for part in (
    # Stale comes 6 hours after a station's last reading: a minute's step is soon enough.
    Part("stations", STATION_TABLES, _stations, clock_step_s=60),
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


def situation_tag(user, parts: list[Part]) -> str:
    """A weak ETag from the parts' names, their tables' versions, the clock steps and who asks
    (the parts apply the caller's scope): no part is built to make it."""
    current = versions.current()
    now = time.time()
    key = [str(user.pk)]
    for part in parts:
        key.append(part.name)
        key.extend(str(token) for token in versions.of(part.tables, current))
        if part.clock_step_s:
            key.append(str(int(now // part.clock_step_s)))
    return 'W/"' + hashlib.blake2b("|".join(key).encode(), digest_size=12).hexdigest() + '"'


def situation(user, parts: list[Part]) -> dict:
    return {"generated_at": timezone.now().isoformat(), "stale_after_hours": STALE_AFTER.total_seconds() / 3600,
            "parts": {part.name: part.build(user) for part in parts}}


def not_modified_response(etag: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    return response
