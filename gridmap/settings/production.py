"""Production: secrets only from the environment; refuses to start without them."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_list

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY 必须通过环境变量提供（至少 50 个字符）")
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("DATABASE_URL 必须通过环境变量提供")
DEBUG = False
ALLOWED_HOSTS = env_list("GRIDMAP_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("GRIDMAP_CSRF_TRUSTED_ORIGINS")
GRIDMAP_ALLOW_DEMO_DATA = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A working day; officers on shared phones sign in again the next day.
SESSION_COOKIE_AGE = 12 * 60 * 60
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
