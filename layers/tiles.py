"""Mapbox vector tiles encoded by PostGIS (ST_AsMVT) from the registry's scoped querysets."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

from django.contrib.gis.geos import Polygon
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone

from gridmap.core import versions
from gridmap.core.geojson import feature_collection_sql
from gridmap.core.metrics import CACHE_LOOKUPS
from gridmap.core.prepared import prepared_cursor

from .conf import app_settings
from .registry import Layer

EXTENT = 4096
BUFFER = 64
WEB_MERCATOR_HALF = 20037508.342789244


def tile_extent_wgs84(z: int, x: int, y: int, margin: float = BUFFER / EXTENT) -> tuple[float, float, float, float]:
    """The tile's lon/lat box (west, south, east, north), widened by the MVT buffer so
    clipped features still render."""
    n = 2 ** z

    def lon(px):
        return px / n * 360.0 - 180.0

    def lat(py):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / n))))

    return lon(x - margin), lat(y + 1 + margin), lon(x + 1 + margin), lat(y - margin)


def tile_bounds_wgs84(z: int, x: int, y: int, margin: float = BUFFER / EXTENT) -> Polygon:
    box = Polygon.from_bbox(tile_extent_wgs84(z, x, y, margin))
    box.srid = 4326
    return box


def pixel_size_m(z: int) -> float:
    return 2 * WEB_MERCATOR_HALF / (2 ** z) / EXTENT


def valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= 22 and 0 <= x < 2 ** z and 0 <= y < 2 ** z


def source_sql(layer: Layer, queryset) -> tuple[str, tuple]:
    """The layer's features (id, geometry, tile properties) as SQL, compiled by the ORM."""
    columns = ["id", layer.geom_field, *layer.tile_properties]
    return queryset.values(*columns).query.sql_with_params()


def tile_sql(layer: Layer, queryset, z: int, x: int, y: int) -> tuple[str, tuple]:
    """One statement: the layer's features in the tile, simplified to the tile's pixel size."""
    return tile_sql_of_source(layer, *source_sql(layer, queryset), z, x, y)


def tile_sql_of_source(layer: Layer, inner_sql: str, params, z: int, x: int, y: int) -> tuple[str, tuple]:
    geom = f't.{connection.ops.quote_name(layer.geom_field)}'
    # Outside the layer's SQL so that one compiled source serves every tile; PostgreSQL
    # pushes the condition down to the table's spatial index.
    box = tile_extent_wgs84(z, x, y)
    in_tile = f"{geom} && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
    if layer.geometry == "point":
        projected = f"ST_Transform({geom}, 3857)"
    else:
        # Below one pixel a vertex cannot be seen; dropping it first makes clipping cheaper.
        projected = f"ST_Simplify(ST_Transform({geom}, 3857), {pixel_size_m(z) / 2:.6f}, true)"
    if layer.cluster and z < layer.cluster["below_zoom"]:
        return cluster_sql(layer, inner_sql, (*params, *box), projected, in_tile, z, x, y)
    props = ", ".join(
        f"t.{connection.ops.quote_name(p)}" + ("::text" if p in layer.json_properties else "")
        + f" AS {connection.ops.quote_name(p)}"
        for p in layer.tile_properties
    )
    sql = f"""
        SELECT ST_AsMVT(q, %s, {EXTENT}, 'geom', 'id') FROM (
            SELECT t.id, {props + ',' if props else ''}
                   ST_AsMVTGeom({projected}, ST_TileEnvelope(%s, %s, %s), {EXTENT}, {BUFFER}, true) AS geom
            FROM ({inner_sql}) AS t WHERE {in_tile}
        ) AS q WHERE q.geom IS NOT NULL"""
    return sql, (layer.name, z, x, y, *params, *box)


def cluster_sql(layer: Layer, inner_sql: str, params, projected: str, in_tile: str, z: int, x: int, y: int):
    """Points grouped on a grid of `cluster["pixels"]` pixels: one feature per group with its
    count and the most severe value of the styling property, so that a low-zoom tile of a
    hundred thousand points stays small and still shows where the red ones are."""
    spec = layer.cluster
    prop = connection.ops.quote_name(spec["property"])
    ranks = " ".join(f"WHEN %s THEN {rank}" for rank, _ in enumerate(spec["order"]))
    size = pixel_size_m(z) * spec["pixels"]
    sql = f"""
        SELECT ST_AsMVT(q, %s, {EXTENT}, 'geom') FROM (
            SELECT count(*) AS cluster_count,
                   (array_agg(t.{prop} ORDER BY CASE t.{prop} {ranks} ELSE {len(spec["order"])} END))[1] AS {prop},
                   ST_AsMVTGeom(ST_Centroid(ST_Collect({projected})), ST_TileEnvelope(%s, %s, %s),
                                {EXTENT}, {BUFFER}, true) AS geom
            FROM ({inner_sql}) AS t WHERE {in_tile}
            GROUP BY ST_SnapToGrid({projected}, {size:.3f})
        ) AS q WHERE q.geom IS NOT NULL"""
    return sql, (layer.name, *spec["order"], z, x, y, *params)


# From this zoom on, tile statements are prepared (gridmap.core.prepared, one plan for any
# tile): planning cost as much as running a small tile. Below it a tile spans a district or more,
# planning is noise against thousands of features, and a plan made for the tile's own box
# can be better than the generic one.
PREPARE_FROM_ZOOM = 10


def tile(layer: Layer, queryset, z: int, x: int, y: int) -> bytes:
    try:
        return run_tile_sql(*tile_sql(layer, queryset, z, x, y), prepare=z >= PREPARE_FROM_ZOOM)
    except EmptyResultSet:  # a scope that sees nothing
        return b""


def run_tile_sql(sql: str, params, *, prepare: bool) -> bytes:
    with (prepared_cursor() if prepare else connection.cursor()) as cursor:
        cursor.execute(sql, params)
        return bytes(cursor.fetchone()[0] or b"")


class TileCache:
    """Tiles kept in a process's memory, least recently used first out, up to `max_bytes`.

    An entry holds the data versions of the tables it was made of; it is served only while
    they are current (gridmap.core.versions: at most GRIDMAP_DATA_RECHECK_SECONDS old). The
    key holds the caller's scope, so a tile made for one scope is never served to another.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple, tuple[tuple, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, version: tuple) -> bytes | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != version:
                CACHE_LOOKUPS.labels("tiles", "miss").inc()
                return None
            self.entries.move_to_end(key)
            CACHE_LOOKUPS.labels("tiles", "hit").inc()
            return entry[1]

    def put(self, key: tuple, version: tuple, body: bytes) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[1])
            if len(body) > self.max_bytes:
                return
            self.entries[key] = (version, body)
            self.size += len(body)
            while self.size > self.max_bytes:
                _, (_, evicted) = self.entries.popitem(last=False)
                self.size -= len(evicted)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


tile_cache = TileCache(app_settings.TILE_CACHE_MB * 1024 * 1024)


class CompiledSources:
    """Each layer's SQL per purpose, scope and day, compiled once: compiling a layer's
    queryset takes the ORM longer than most tiles take to make. The kept tiles' rule holds:
    what a layer shows depends on the layer, the caller's scope and the day.

    Purposes: "tile" (the features' columns, wrapped per tile by tile_sql_of_source) and
    "geojson" (the whole FeatureCollection). None stands for a scope that sees nothing (the
    ORM refuses to compile an empty IN)."""

    MAX_ENTRIES = 4096

    def __init__(self):
        self.entries: dict[tuple, tuple[str, tuple] | None] = {}

    def get(self, layer: Layer, scope, queryset_for, purpose: str = "tile") -> tuple[str, tuple] | None:
        key = (purpose, layer.name, scope, timezone.localdate())
        try:
            return self.entries[key]
        except KeyError:
            pass
        if len(self.entries) >= self.MAX_ENTRIES:
            self.entries.clear()
        try:
            compiled = COMPILE[purpose](layer, queryset_for())
        except EmptyResultSet:
            compiled = None
        self.entries[key] = compiled
        return compiled


def layer_feature_collection_sql(layer: Layer, queryset) -> tuple[str, tuple]:
    return feature_collection_sql(queryset, geom=layer.geom_field, properties=layer.properties)


COMPILE = {"tile": source_sql, "geojson": layer_feature_collection_sql}
compiled_sources = CompiledSources()


def cached_tile(layer: Layer, scope, queryset_for, z: int, x: int, y: int) -> bytes:
    """The tile from memory when its tables have not changed since it was made; otherwise
    made from the layer's compiled SQL (queryset_for() gives the layer's scoped queryset)
    and kept."""
    if not layer.source_tables:
        return tile(layer, queryset_for(), z, x, y)
    key = (layer.name, scope, z, x, y)
    version = versions.of(layer.source_tables, versions.current())
    body = tile_cache.get(key, version)
    if body is None:
        compiled = compiled_sources.get(layer, scope, queryset_for)
        body = b"" if compiled is None else run_tile_sql(*tile_sql_of_source(layer, *compiled, z, x, y),
                                                         prepare=z >= PREPARE_FROM_ZOOM)
        tile_cache.put(key, version, body)
    return body
