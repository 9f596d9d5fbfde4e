"""The map layers' settings (GRIDMAP_* in the project settings override these defaults)."""

import os

from gridmap.core.conf import AppSettings, env_int

app_settings = AppSettings(
    # A basemap tile URL template (e.g. Tianditu with its key); empty means no basemap: the
    # district outline, rivers and grids are the base (machines here have no internet). Set
    # in gridmap/settings/base.py too, because the content security policy allows its host.
    BASEMAP_URL="",
    BASEMAP_ATTRIBUTION=os.environ.get("GRIDMAP_BASEMAP_ATTRIBUTION", ""),
    # Above this many features in a user's scope, maps draw a layer as vector tiles, not GeoJSON.
    GEOJSON_MAX_FEATURES=env_int("GRIDMAP_GEOJSON_MAX_FEATURES", 5000),
    # Memory per process for vector tiles of layers whose tiles depend on the scope only.
    TILE_CACHE_MB=env_int("GRIDMAP_TILE_CACHE_MB", 64),
)
