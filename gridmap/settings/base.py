"""Project-wide settings shared by every environment (database, apps, middleware, auth,
static files, language, security); values come from the environment (GRIDMAP_*).

Each domain app's own settings, with their defaults and environment variables, are in its
conf.py (gridmap/core/conf.py says how); set GRIDMAP_<NAME> here or in an environment's
module to override one.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from gridmap.core.conf import env_bool, env_list
from gridmap.core.storage import object_store

BASE_DIR = Path(__file__).resolve().parent.parent.parent


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("GRIDMAP_DEBUG", False)
ALLOWED_HOSTS = env_list("GRIDMAP_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    # Jobs in PostgreSQL: its schema comes with its migrations; workers: manage.py procrastinate worker
    "procrastinate.contrib.django",
    "gridmap.core",
    "gridmap.accounts",
    "gridmap.grids",
    "gridmap.enterprises",
    "gridmap.patrols",
    "gridmap.inspections",
    "gridmap.flood",
    "layers",
    "gridmap.jobs",
    "gridmap.workspaces",
    "gridmap.demo",
]

MIDDLEWARE = [
    # First: it times the whole answer (Prometheus, /metrics).
    "gridmap.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gridmap.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: a too-large request is refused by its Content-Length.
    "gridmap.core.middleware.RequestSizeMiddleware",
    # Before anything reads the database: whether this request's reads may go to the replica.
    "gridmap.core.dbrouting.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gridmap.core.middleware.NulCharacterMiddleware",
    "gridmap.core.middleware.ConstraintViolationMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, remembering a session's user per process (see the module).
    "gridmap.accounts.middleware.AuthenticationMiddleware",
    # An enterprise user reaches only their own pages (gridmap.workspaces.door).
    "gridmap.workspaces.door.EnterpriseDoorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Who and which URL, attached to every history event written during the request.
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gridmap.urls"
WSGI_APPLICATION = "gridmap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "gridmap.workspaces.context.navigation",
                "gridmap.geo.context.choices",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgis://postgres@127.0.0.1:54329/gridmap"),
        conn_max_age=int(os.environ.get("GRIDMAP_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=False,
    )
}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# Django turns prepared statements off (None); the ORM's client-binding cursors never prepare
# whatever this says, only gridmap.core.prepared's cursors do, and they ask for it each time.
# Only those statements are prepared, so only they follow plan_cache_mode: planned once, for
# any values (PostgreSQL's own choice kept re-planning small tiles, half of their time).
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options.setdefault("prepare_threshold", 5)
_options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
# Connection pool (Django 5.2's, psycopg_pool): GRIDMAP_DB_POOL_SIZE connections per process,
# shared by its threads, instead of one persistent connection per thread. Size it so that
#   (pool size × server workers + job workers) × nodes  <  max_connections (200 here),
# e.g. 4 × 4 workers × 3 nodes = 48 (docs/scaling.md, bench/RESULTS.md). 0: no pool.
GRIDMAP_DB_POOL_SIZE = int(os.environ.get("GRIDMAP_DB_POOL_SIZE", "0"))
if GRIDMAP_DB_POOL_SIZE > 0:
    _options["pool"] = {
        "min_size": 1,
        "max_size": GRIDMAP_DB_POOL_SIZE,
        # A request waits at most this long for a free connection, then fails (503 from the
        # balancer's retry is better than a queue without end).
        "timeout": float(os.environ.get("GRIDMAP_DB_POOL_TIMEOUT", "10")),
        # Idle connections above min_size are closed after this many seconds.
        "max_idle": 300,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them instead
# The streaming replica (`make replica`): reads go there, writes to the primary, by
# gridmap.core.dbrouting (read your own writes, versions from the primary, back to the primary
# when it stops or lags). Tests that do not start a standby of their own see it as the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    # Not pooled: a pool waits its whole timeout for a standby that is down, where a plain
    # connection is refused at once and the reads go to the primary (each thread keeps one).
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("GRIDMAP_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True)
    DATABASES["replica"]["ENGINE"] = DATABASES["default"]["ENGINE"]
    DATABASES["replica"]["OPTIONS"] = {**{k: v for k, v in _options.items() if k != "pool"}, "connect_timeout": 2,
                                       **DATABASES["replica"].get("OPTIONS", {})}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["gridmap.core.dbrouting.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspaces:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id first (gridmap.accounts.hashers says why); the others verify hashes stored before,
# which are re-hashed with Argon2id at the next sign-in.
PASSWORD_HASHERS = [
    "gridmap.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# One language: the interface speaks Simplified Chinese (no per-request language choice).
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package.json) and are served locally: no CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/leaflet-draw", NODE_MODULES / "leaflet-draw" / "dist"),
    ("vendor/leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    ("vendor/leaflet.vectorgrid", NODE_MODULES / "leaflet.vectorgrid" / "dist"),
    ("vendor/idb", NODE_MODULES / "idb" / "build"),
    # The Workbox runtime, copied there by scripts/build-workbox.mjs (make assets).
    ("vendor/workbox", BASE_DIR / "build" / "workbox"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("GRIDMAP_MEDIA_ROOT", BASE_DIR / "media"))
# Media (photos, export files) go through Django's storage API: the local folder above on one
# machine; with GRIDMAP_S3_BUCKET (GRIDMAP_S3_ENDPOINT_URL, _ACCESS_KEY, _SECRET_KEY, _REGION,
# _PREFIX) an S3-compatible object store every node reaches (MinIO in docker-compose.yml).
if object_store():
    STORAGES["default"] = object_store()

REST_FRAMEWORK = {
    # Token first: API clients send one, and checking it first spares them loading a session.
    # Unauthenticated calls get 401 with `WWW-Authenticate: Token` (the token scheme's header).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gridmap.accounts.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in; an enterprise user only where a view opens the door (gridmap.accounts.permissions).
    "DEFAULT_PERMISSION_CLASSES": ["gridmap.accounts.permissions.SignedIn"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Services' ValidationError / PermissionDenied become 400 / 403 with their Chinese messages.
    "EXCEPTION_HANDLER": "gridmap.core.api_errors.exception_handler",
}
# API tokens, one per device (django-rest-knox, model accounts.DeviceToken): each expires.
GRIDMAP_TOKEN_TTL_DAYS = int(os.environ.get("GRIDMAP_TOKEN_TTL_DAYS", "30"))
KNOX_TOKEN_MODEL = "accounts.DeviceToken"
REST_KNOX = {"TOKEN_TTL": dt.timedelta(days=GRIDMAP_TOKEN_TTL_DAYS), "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "gridmap API",
    "DESCRIPTION": "静海区应急管理网格化监管平台 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets share the field name "level": hazard levels and storm response levels.
    "ENUM_NAME_OVERRIDES": {"ResponseLevelEnum": "gridmap.flood.events.models.ResponseLevel"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gridmap.core.openapi.add_error_responses",
    ],
}

# --- audit trail (django-pghistory) -----------------------------------------------------------
# Event tables are written only by database triggers and are append-only: pgtrigger installs
# a trigger on each that raises on UPDATE and DELETE, so neither the ORM nor raw SQL run by
# the application can rewrite history.
PGHISTORY_APPEND_ONLY = True
# Who and which URL are attached to history events written by requests that write: GET and
# HEAD never do, and attaching the context costs a tenth of a small request's time.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_ADMIN_ALL_EVENTS = False

# --- lock-out (django-axes) ---------------------------------------------------------------
# Lock a username from one address after 5 failures for 15 minutes. Keyed on the pair so a
# stranger cannot lock an officer out from elsewhere. Behind the TLS proxy the address is the
# one the proxy saw (gridmap.accounts.lockout.client_address): X-Forwarded-For is read only
# as far as GRIDMAP_TRUSTED_PROXY_COUNT proxies wrote it (0: not at all), since a client can
# write anything to its left.
GRIDMAP_TRUSTED_PROXY_COUNT = int(os.environ.get("GRIDMAP_TRUSTED_PROXY_COUNT", "0"))
AXES_FAILURE_LIMIT = int(os.environ.get("GRIDMAP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("GRIDMAP_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
CSRF_FAILURE_VIEW = "gridmap.core.views.csrf_failure"
AXES_LOCKOUT_CALLABLE = "gridmap.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "gridmap.accounts.lockout.client_address"
AXES_IPWARE_PROXY_COUNT = GRIDMAP_TRUSTED_PROXY_COUNT
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if GRIDMAP_TRUSTED_PROXY_COUNT else (
    "REMOTE_ADDR",)
AXES_VERBOSE = False

# --- the map's basemap (the content security policy below allows its host) -----------------
# A basemap tile URL template (e.g. Tianditu with its key); empty means no basemap.
GRIDMAP_BASEMAP_URL = os.environ.get("GRIDMAP_BASEMAP_URL", "")
# The earliest date a record (inspection, hazard, document, legal review, exposure, summons)
# may carry: the platform holds nothing older.
GRIDMAP_DATA_START = os.environ.get("GRIDMAP_DATA_START", "2010-01-01")
# One stock receipt or issue: more than any depot holds, well below the column's integer range.
GRIDMAP_STOCK_MOVE_MAX = int(os.environ.get("GRIDMAP_STOCK_MOVE_MAX", "1000000"))
# The largest request body accepted at all, refused by Content-Length before it is read: a
# patrol with its most and largest photos (gridmap.geo.photos: 6 of 10 MB) and room for the form.
GRIDMAP_MAX_REQUEST_BYTES = int(os.environ.get("GRIDMAP_MAX_REQUEST_BYTES", str(62 * 1024 * 1024)))
# Debian 12's GDAL is 3.6; GDAL >= 3.9 would add a guard against malicious spatial
# references. We only read CRS definitions from files an operator imports.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Only self-hosted assets: scripts need the per-request nonce (folium writes inline scripts,
# which the map views tag with it); inline styles are allowed because Leaflet and folium
# write style attributes. A configured basemap's host is allowed for images only.
_BASEMAP_ORIGIN = "/".join(GRIDMAP_BASEMAP_URL.split("/")[:3]) if GRIDMAP_BASEMAP_URL.startswith("http") else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *([_BASEMAP_ORIGIN] if _BASEMAP_ORIGIN else [])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
