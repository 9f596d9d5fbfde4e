"""The grids app's settings (GRIDMAP_* in the project settings override these defaults)."""

from gridmap.core.conf import AppSettings, env_float

app_settings = AppSettings(
    # The district this installation serves (行政区划代码): the default of every record's
    # district_code.
    DISTRICT_CODE="120118",
    # Topology tolerance for grid imports, in square metres: slivers smaller than this are
    # reported as warnings, larger ones refuse the import.
    TOPOLOGY_TOLERANCE_M2=env_float("GRIDMAP_TOPOLOGY_TOLERANCE_M2", 100.0),
)
