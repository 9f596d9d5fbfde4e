"""One registry of map layers. Each layer is declared once; the GeoJSON API, the layer list
for GIS clients, the folium maps and their legends are all generated from the declaration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from gridmap.accounts.capabilities import Capability

from .conf import app_settings


@dataclass(frozen=True)
class Layer:
    name: str
    title: str
    geometry: str  # "polygon", "line" or "point"
    # A selector taking the requesting user; it applies the scope rule.
    source: Callable[..., QuerySet]
    properties: tuple[str, ...]
    # (property, label) pairs shown in the popup; values that are lists of people are
    # shown as "name (phone)".
    popup: tuple[tuple[str, str], ...]
    style: dict
    # Optional: colour features by a property, {"property": ..., "values": {value: colour}}.
    style_by: dict | None = None
    tooltip: str | None = "name"
    # Show the tooltip property as a permanent label from this zoom on (None: on hover only).
    # The maps have no basemap, so the grids' labels are their place names.
    label_zoom: int | None = None
    geom_field: str = "geom"
    min_zoom: int = 0
    show: bool = True
    # Query parameters accepted as property filters: parameter -> ORM lookup.
    filters: dict[str, str] = field(default_factory=dict)
    # The capability needed to see the layer; None means any signed-in user (within scope).
    capability: Capability | None = None
    # Properties holding JSON (lists of people, ...): kept out of vector tiles, whose
    # attributes are scalars.
    json_properties: tuple[str, ...] = ()
    # A timestamp field: gives cheap ETag/Last-Modified validators without encoding the layer.
    updated_field: str | None = None
    # Stream the GeoJSON feature by feature (large point layers) instead of one document.
    stream: bool = False
    # How maps draw it: "geojson" (fetched whole), "tiles" (vector tiles), or "auto": tiles
    # once the caller's scope holds more than GRIDMAP_GEOJSON_MAX_FEATURES.
    draw: str = "auto"
    # Point layers: below `below_zoom`, tiles group points on a grid of `pixels` pixels, each
    # group keeping its count and the first value of `property` in `order` (most severe).
    cluster: dict | None = None
    # For tiled layers: where a clicked feature's full properties come from ({property}).
    detail_url: str | None = None
    # Every table the layer's features and properties are read from, for layers whose rows
    # depend on nothing else but the caller's scope (each table needs a data-version trigger,
    # gridmap.core.models.data_version_trigger). Then tiles are kept in memory until one of
    # them changes, and the GeoJSON's ETag comes from their versions and the query: a
    # revalidation is answered without reading the layer.
    source_tables: tuple[str, ...] = ()
    # When a feature happened (a model's timestamp field): the OGC API's `datetime` filter
    # and the collection's temporal extent. None: the layer has no time.
    time_field: str | None = None

    def draw_for(self, user) -> str:
        if self.draw != "auto":
            return self.draw

        limit = app_settings.GEOJSON_MAX_FEATURES
        many = self.source(user).order_by().values("pk")[limit:limit + 1].exists()
        return "tiles" if many else "geojson"

    @property
    def tile_properties(self) -> tuple[str, ...]:
        return tuple(p for p in self.properties if p not in self.json_properties)

    def allowed(self, user) -> bool:
        if not user.is_authenticated:
            return False
        return self.capability is None or self.capability.allows(user)

    def legend(self) -> list[dict]:
        if self.style_by:
            return [{"label": label, "color": colour}
                    for label, colour in self.style_by.get("legend", {}).items()]
        return [{"label": self.title, "color": self.style.get("color", "#333")}]

    def describe(self) -> dict:
        return {
            "name": self.name, "title": self.title, "geometry": self.geometry,
            "properties": list(self.properties), "popup": [list(p) for p in self.popup],
            "style": self.style, "style_by": self.style_by, "min_zoom": self.min_zoom,
            "filters": sorted(self.filters), "legend": self.legend(),
            "url": f"/api/layers/{self.name}.geojson",
            "tiles": f"/tiles/{self.name}/{{z}}/{{x}}/{{y}}.mvt",
        }


_LAYERS: dict[str, Layer] = {}


def register(layer: Layer) -> Layer:
    if layer.name in _LAYERS:
        raise ValueError(f"layer {layer.name!r} declared twice")
    _LAYERS[layer.name] = layer
    return layer


def get_layer(name: str) -> Layer | None:
    return _LAYERS.get(name)


def all_layers() -> list[Layer]:
    return list(_LAYERS.values())


def layers_for(user) -> list[Layer]:
    return [layer for layer in _LAYERS.values() if layer.allowed(user)]


def layers_named(user, names) -> list[Layer]:
    """The named layers that exist and that the user may see, in the given order."""
    layers = [get_layer(name) for name in names]
    return [layer for layer in layers if layer and layer.allowed(user)]
