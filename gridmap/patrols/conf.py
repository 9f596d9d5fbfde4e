"""The patrols app's settings (GRIDMAP_* in the project settings override these defaults).
The photo limits are read by the photo checks (see gridmap/settings/base.py)."""

from gridmap.core.conf import AppSettings, env_float

app_settings = AppSettings(
    # A visit recorded farther than this from the enterprise is flagged (not refused).
    PATROL_VISIT_MAX_DISTANCE_M=env_float("GRIDMAP_PATROL_VISIT_MAX_DISTANCE_M", 200.0),
)
