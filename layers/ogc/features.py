"""Pages of a layer's features for the OGC API, encoded by PostGIS as the layers' GeoJSON is
(gridmap.core.geojson): Python joins the page's bytes with its links, never a feature.

A page is ordered by feature id and starts after an id (`after`, which the `next` link
carries): a feature added or removed between two pages moves no other feature across a page
boundary, so following `next` reaches every feature once."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.core.exceptions import EmptyResultSet
from django.db.models import Max, Min

from gridmap.core.geojson import feature_sql, fetch_row_bytes

from ..registry import Layer

# The smallest id `after` can name: every feature comes after it.
BEFORE_ALL = -(2 ** 63)


@dataclass
class Page:
    matched: int  # features matching the query (every page)
    remaining: int  # of those, the ones after `after`
    returned: int
    last_id: int | None
    features: bytes  # the features' JSON texts joined by ", " (no brackets)


def _columns(layer: Layer) -> list[str]:
    return ["id", layer.geom_field, *layer.properties]


def page_statements(layer: Layer, queryset, *, after: int | None, limit: int, latitude_first: bool):
    """The two statements of a page: (count, page). Raises EmptyResultSet for a scope that
    sees nothing."""
    ids_sql, ids_params = queryset.order_by().values("id").query.sql_with_params()
    count = (f"SELECT count(*), count(*) FILTER (WHERE t.id > %s) FROM ({ids_sql}) AS t",
             (BEFORE_ALL if after is None else after, *ids_params))
    rows = queryset if after is None else queryset.filter(id__gt=after)
    inner_sql, params = rows.order_by("id").values(*_columns(layer))[:limit].query.sql_with_params()
    feature = feature_sql(queryset, geom=layer.geom_field, properties=layer.properties, flip_axes=latitude_first)
    page = (f"SELECT count(*), max(t.id), COALESCE(string_agg({feature}, ', ' ORDER BY t.id), '') "
            f"FROM ({inner_sql}) AS t", params)
    return count, page


def run_page(count, page) -> Page:
    matched, remaining = fetch_row_bytes(*count)
    returned, last_id, features = fetch_row_bytes(*page)
    return Page(matched, remaining, returned, last_id, features)


def empty_page() -> Page:
    return Page(0, 0, 0, None, b"")


def feature_statement(layer: Layer, queryset, fid: int, *, latitude_first: bool):
    inner_sql, params = queryset.filter(id=fid).order_by().values(*_columns(layer)).query.sql_with_params()
    feature = feature_sql(queryset, geom=layer.geom_field, properties=layer.properties, flip_axes=latitude_first)
    return f"SELECT {feature} FROM ({inner_sql}) AS t", params


def run_feature(statement) -> bytes | None:
    row = fetch_row_bytes(*statement)
    return None if row is None else row[0]


def extent(layer: Layer, queryset) -> dict:
    """The collection's extent in CRS84 (and its time span for a layer with time), of the
    features the caller may see; empty parts are left out."""
    aggregates = {"box": Extent(layer.geom_field)}
    if layer.time_field:
        aggregates |= {"first": Min(layer.time_field), "last": Max(layer.time_field)}
    try:
        values = queryset.order_by().aggregate(**aggregates)
    except EmptyResultSet:
        values = {}
    result = {}
    if values.get("box"):
        result["spatial"] = {"bbox": [[round(v, 6) for v in values["box"]]],
                             "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
    if layer.time_field:
        span = [values[k].isoformat().replace("+00:00", "Z") if values.get(k) else None for k in ("first", "last")]
        result["temporal"] = {"interval": [span], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    return result
