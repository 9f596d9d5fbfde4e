"""folium maps built from the layer registry. Maps load their features by URL from the layer
API after the page is shown, so the HTML stays small whatever the data size; every asset is
served from our own static files."""

from __future__ import annotations

import re

import folium
from branca.element import MacroElement
from django.templatetags.static import static
from jinja2 import Template

from .conf import app_settings
from .registry import Layer


def offline_assets(*, vector_tiles: bool = False) -> tuple[list, list]:
    js = [("leaflet", static("vendor/leaflet/leaflet.js"))]
    if vector_tiles:
        js.append(("vectorgrid", static("vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js")))
    js.append(("gridmap_map", static("gridmap/map.js")))
    css = [("leaflet_css", static("vendor/leaflet/leaflet.css")),
           ("gridmap_map_css", static("gridmap/map.css"))]
    return js, css


class RegistryLayer(folium.map.Layer):
    """A registry layer drawn with L.geoJSON and filled by fetching its GeoJSON URL."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {% if this.options.draw == "tiles" %}
        var {{ this.get_name() }} = gridmap.tileLayer({{ this.options | tojson }}, {{ this.url | tojson }});
        {% else %}
        var {{ this.get_name() }} = gridmap.geoJsonLayer({{ this.options | tojson }});
        gridmap.load({{ this.get_name() }}, {{ this.url | tojson }}, {{ this.fit | tojson }},
                     {{ this._parent.get_name() }});
        {% endif %}
        {% endmacro %}
    """)

    def __init__(self, layer: Layer, url: str, *, draw: str, fit: bool = False,
                 show: bool | None = None, interactive: bool = True):
        super().__init__(name=layer.title, overlay=True, control=True,
                         show=layer.show if show is None else show)
        self._name = "RegistryLayer"
        self.url = url
        self.fit = fit
        self.options = {
            "name": layer.name, "title": layer.title, "geometry": layer.geometry,
            "style": layer.style, "styleBy": layer.style_by, "popup": layer.popup,
            "tooltip": layer.tooltip, "minZoom": layer.min_zoom, "draw": draw,
            "detailUrl": layer.detail_url, "interactive": interactive,
            "labelZoom": layer.label_zoom,
        }


class Legend(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        gridmap.legend({{ this._parent.get_name() }}, {{ this.entries | tojson }});
        {% endmacro %}
    """)

    def __init__(self, entries: list[dict]):
        super().__init__()
        self._name = "Legend"
        self.entries = entries


def build_map(layers: list[Layer], *, user, center: tuple[float, float], zoom: int = 10,
              fit_layer: str | None = None, urls: dict[str, str] | None = None,
              passive: tuple[str, ...] = ()) -> folium.Map:
    """A map of registry layers for one user: each layer drawn as GeoJSON or vector tiles
    depending on how many features the user's scope holds. The `passive` layers take no
    clicks: on a page where cells are picked by clicking, an outline that happens to load
    last (level-I grids) would otherwise lie on top and take the click."""
    draws = {layer.name: layer.draw_for(user) for layer in layers}
    basemap = app_settings.BASEMAP_URL
    # folium's max_zoom only reaches the tile layer; with no tiles the map needs maxZoom itself.
    fmap = folium.Map(location=center, zoom_start=zoom, tiles=None, maxZoom=18,
                      control_scale=True)
    fmap.default_js, fmap.default_css = offline_assets(
        vector_tiles="tiles" in draws.values())
    if basemap:
        folium.TileLayer(basemap, attr=app_settings.BASEMAP_ATTRIBUTION or "basemap",
                         name="底图", max_zoom=18).add_to(fmap)
    urls = urls or {}
    for layer in layers:
        # A URL given by the page is a GeoJSON URL (a filtered layer, or another day's grids).
        draw = "geojson" if layer.name in urls else draws[layer.name]
        default = (f"/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.mvt" if draw == "tiles"
                   else f"/api/layers/{layer.name}.geojson")
        url = urls.get(layer.name, default)
        RegistryLayer(layer, url, draw=draw, fit=layer.name == fit_layer,
                      interactive=layer.name not in passive).add_to(fmap)
    Legend([{"title": layer.title, "geometry": layer.geometry, "entries": layer.legend(),
             "style": layer.style} for layer in layers]).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


class KeptView(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        gridmap.keepView({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "KeptView"


def add_draw_tools(fmap: folium.Map) -> folium.Map:
    """Leaflet.draw (from the npm package) with its toolbar in Chinese, for a page that lets
    people draw an area. Per-map lists, never folium's class-level ones."""
    # Leaflet.draw, then its Chinese labels (they change L.drawLocal).
    fmap.default_js = [*fmap.default_js, ("leaflet_draw", static("vendor/leaflet-draw/leaflet.draw.js")),
                       ("gridmap_draw_zh", static("gridmap/draw-zh.js"))]
    fmap.default_css = [*fmap.default_css, ("leaflet_draw_css", static("vendor/leaflet-draw/leaflet.draw.css"))]
    return fmap


def keep_view(fmap: folium.Map) -> folium.Map:
    """The map returns to the view it had when the page is shown again (after a form posts and
    the page comes back, or a reload): kept per page in the URL's hash and the session."""
    fmap.default_js = [*fmap.default_js, ("gridmap_keep_view", static("gridmap/keep-view.js"))]
    KeptView().add_to(fmap)
    return fmap


def render_parts(fmap: folium.Map, *, nonce: str = "") -> dict[str, str]:
    """The header, body and script of a folium map, to be placed in a Django template.

    folium writes inline <script> tags; each gets the request's CSP nonce so that the
    policy can refuse every script that is neither ours nor self-hosted.
    """
    figure = fmap.get_root()
    figure.render()

    def tagged(html: str) -> str:
        return re.sub(r"<script(?=[\s>])", f'<script nonce="{nonce}"', html) if nonce else html

    return {
        "map_header": tagged(figure.header.render()),
        "map_html": tagged(figure.html.render()),
        "map_script": figure.script.render(),
    }


def map_context(fmap: folium.Map, *, nonce: str) -> dict[str, object]:
    """Template context for a map page: its parts, and the JS names of the map and of each
    registry layer, for page scripts that drive them."""
    parts: dict[str, object] = dict(render_parts(fmap, nonce=nonce))
    parts["map_name"] = fmap.get_name()
    parts["layer_names"] = {child.options["name"]: child.get_name()
                            for child in fmap._children.values() if isinstance(child, RegistryLayer)}
    return parts
