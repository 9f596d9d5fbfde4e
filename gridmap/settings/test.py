"""Test settings: the real PostGIS, a fast password hasher."""

from .dev import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests change data and read it back at once: every read compares the data versions (an app
# node started by a test may be given its own, as a deployment's: tests/test_two_nodes.py).
GRIDMAP_DATA_RECHECK_SECONDS = 0.0
STORAGES = {
    # The local folder, or the object store when GRIDMAP_S3_BUCKET is set (base settings).
    "default": STORAGES["default"],  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

import os  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

# Uploaded photos go to a throwaway folder, never into the checkout.
MEDIA_ROOT = Path(os.environ.get("GRIDMAP_MEDIA_ROOT") or Path(tempfile.gettempdir()) / "gridmap-test-media")
if os.environ.get("GRIDMAP_DATA_RECHECK_SECONDS"):
    GRIDMAP_DATA_RECHECK_SECONDS = float(os.environ["GRIDMAP_DATA_RECHECK_SECONDS"])
