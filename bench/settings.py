"""Settings for benchmark servers: the project as it is, plus a trivial view as the floor."""

from gridmap.settings.dev import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The in-process measurements use Django's test client.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
