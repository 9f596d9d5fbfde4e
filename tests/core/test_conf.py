"""Per-app settings: an app's default unless the project's settings say otherwise."""

import pytest
from django.conf import settings as django_settings

from gridmap.core.conf import AppSettings
from gridmap.enterprises.conf import app_settings as enterprise_settings
from gridmap.inspections.conf import app_settings as inspection_settings


def test_default_then_the_project_setting_then_back(settings):
    app = AppSettings(EXAMPLE_LIMIT=3)
    assert app.EXAMPLE_LIMIT == 3
    settings.GRIDMAP_EXAMPLE_LIMIT = 7
    assert app.EXAMPLE_LIMIT == 7
    del settings.GRIDMAP_EXAMPLE_LIMIT
    assert app.EXAMPLE_LIMIT == 3
    with pytest.raises(AttributeError):
        app.UNDECLARED  # noqa: B018


def test_domain_settings_live_in_their_apps_not_in_the_project_settings(settings):
    for name in ("GRIDMAP_RISK_METHODS", "GRIDMAP_DISTRICT_CODE", "GRIDMAP_SUPERVISED_DEADLINE_DAYS",
                 "GRIDMAP_DEMO_PASSWORD", "GRIDMAP_TILE_CACHE_MB"):
        assert not hasattr(django_settings, name), name
    assert inspection_settings.SUPERVISED_DEADLINE_DAYS == 30
    settings.GRIDMAP_SUPERVISED_DEADLINE_DAYS = 12
    assert inspection_settings.SUPERVISED_DEADLINE_DAYS == 12
    assert set(enterprise_settings.RISK_COLOURS) == {"major", "large", "general", "low"}
