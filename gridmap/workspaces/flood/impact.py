"""Flood impact with the open hazards in the area: flood's analysis (影响分析) and the
inspections app's open hazards, composed here because flood and inspections are peers and
neither imports the other."""

from __future__ import annotations

from gridmap.flood.selectors import ImpactQuery, impact
from gridmap.inspections.selectors import open_hazards_in_area


def impact_with_open_hazards(user, query: ImpactQuery) -> dict | None:
    """flood.selectors.impact plus `open_hazards` (and its count in the totals).

    None when the user may not command floods or the zone does not exist.
    """
    result = impact(user, query)
    if result is None:
        return None
    result["open_hazards"] = open_hazards_in_area(query.geometry(), user)
    result["totals"]["open_hazards"] = len(result["open_hazards"])
    return result
