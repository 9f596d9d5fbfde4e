"""The demo app's settings (GRIDMAP_* in the project settings override these defaults)."""

from gridmap.core.conf import AppSettings

app_settings = AppSettings(
    # Demo users with a shared password are created only where this is true: the dev and
    # test settings say so, production never.
    ALLOW_DEMO_DATA=False,
    DEMO_PASSWORD="gridmap-demo",
)
