"""Local development and `make run`: safe defaults, demo data allowed."""

import os

from .base import *  # noqa: F403
from .base import env_bool

SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
DEBUG = env_bool("GRIDMAP_DEBUG", False)
GRIDMAP_ALLOW_DEMO_DATA = True
