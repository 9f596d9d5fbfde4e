"""Per-app settings. Each domain app declares its own GRIDMAP_* settings, with their defaults
(often read from the environment), in its own `conf.py`; gridmap/settings/ keeps only what
is project-wide. The project's settings (or a test's override) win over an app's default.

    app_settings = AppSettings(DISTRICT_CODE="120118")
    app_settings.DISTRICT_CODE   # settings.GRIDMAP_DISTRICT_CODE if set, else "120118"

Read on each access, so `override_settings` and pytest-django's `settings` fixture apply.
"""

from __future__ import annotations

import os

from django.conf import settings


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


class AppSettings:
    """An app's settings: attribute NAME is settings.GRIDMAP_NAME if set, else the default."""

    prefix = "GRIDMAP_"

    def __init__(self, **defaults):
        self._defaults = defaults

    def __getattr__(self, name: str):
        defaults = self.__dict__.get("_defaults", {})
        if name not in defaults:
            raise AttributeError(f"no app setting {name}")
        return getattr(settings, self.prefix + name, defaults[name])

    def names(self) -> list[str]:
        return [self.prefix + name for name in self._defaults]


app_settings = AppSettings(
    # The point lookup's cells, the kept tiles and the remembered sessions live in each
    # process's memory; this is how often (in seconds) a process checks the data versions,
    # i.e. how old an answer may be.
    DATA_RECHECK_SECONDS=env_float("GRIDMAP_DATA_RECHECK_SECONDS", 1.0),
    # Per user and hour (gridmap.core.ratelimit): reports (举报) filed, exports requested,
    # API tokens issued. A report is filed by hand, an export is a minute of a worker's time,
    # a token is one device's sign-in: more than these in an hour is a script, not a person.
    RATE_REPORTS_PER_HOUR=env_int("GRIDMAP_RATE_REPORTS_PER_HOUR", 30),
    RATE_EXPORTS_PER_HOUR=env_int("GRIDMAP_RATE_EXPORTS_PER_HOUR", 30),
    RATE_TOKENS_PER_HOUR=env_int("GRIDMAP_RATE_TOKENS_PER_HOUR", 20),
    # The streaming replica (DATABASE_REPLICA_URL; gridmap.core.dbrouting): reads go back to
    # the primary while it lags more than this many seconds, its state is checked at most this
    # often per process, and a user who wrote reads the primary for this many seconds after
    # (at least the lag allowed plus a check, so what they saved is on the next page).
    REPLICA_MAX_LAG_SECONDS=env_float("GRIDMAP_REPLICA_MAX_LAG_SECONDS", 5.0),
    REPLICA_CHECK_SECONDS=env_float("GRIDMAP_REPLICA_CHECK_SECONDS", 1.0),
    READ_PRIMARY_SECONDS=env_int("GRIDMAP_READ_PRIMARY_SECONDS", 10),
)
