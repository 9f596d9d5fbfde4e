"""Settings shared by every environment; values come from the environment (GRIDMAP_*)."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


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
    "gridmap.core",
    "gridmap.accounts",
    "gridmap.grids",
    "gridmap.enterprises",
    "gridmap.patrols",
    "gridmap.inspections",
    "gridmap.flood",
    "layers",
    "gridmap.workspaces",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gridmap.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, remembering a session's user per process (see the module).
    "gridmap.accounts.middleware.AuthenticationMiddleware",
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
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("GRIDMAP_MEDIA_ROOT", BASE_DIR / "media"))

REST_FRAMEWORK = {
    # Token first: API clients send one, and checking it first spares them loading a session.
    # Unauthenticated calls get 401 with `WWW-Authenticate: Token` (the token scheme's header).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gridmap.accounts.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
# stranger cannot lock an officer out from elsewhere; behind the TLS proxy every request has
# the proxy's address, which makes it per username. X-Forwarded-For is not trusted: a client
# could otherwise change it on each try.
AXES_FAILURE_LIMIT = int(os.environ.get("GRIDMAP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("GRIDMAP_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_VERBOSE = False

# --- gridmap domain settings -------------------------------------------------------------
GRIDMAP_DISTRICT_CODE = "120118"
# A basemap tile URL template (e.g. Tianditu with its key); empty means no basemap: the
# district outline, rivers and grids are the base (machines here have no internet).
GRIDMAP_BASEMAP_URL = os.environ.get("GRIDMAP_BASEMAP_URL", "")
GRIDMAP_BASEMAP_ATTRIBUTION = os.environ.get("GRIDMAP_BASEMAP_ATTRIBUTION", "")
# No national RGB values exist for the four risk levels; these are common in deployed systems.
GRIDMAP_RISK_COLOURS = {
    "major": "#e63031",
    "large": "#f48400",
    "general": "#f1dd00",
    "low": "#00b0f0",
}
# Above this many features in a user's scope, maps draw a layer as vector tiles, not GeoJSON.
GRIDMAP_GEOJSON_MAX_FEATURES = int(os.environ.get("GRIDMAP_GEOJSON_MAX_FEATURES", "5000"))
# The point lookup's cells and vector tiles are kept in each process's memory; this is how
# often (in seconds) a process checks the data versions, i.e. how old an answer may be.
GRIDMAP_DATA_RECHECK_SECONDS = float(os.environ.get("GRIDMAP_DATA_RECHECK_SECONDS", "1"))
# Memory per process for vector tiles of layers whose tiles depend on the scope only.
GRIDMAP_TILE_CACHE_MB = int(os.environ.get("GRIDMAP_TILE_CACHE_MB", "64"))
# Topology tolerance for grid imports, in square metres: slivers smaller than this are
# reported as warnings, larger ones refuse the import.
GRIDMAP_TOPOLOGY_TOLERANCE_M2 = float(os.environ.get("GRIDMAP_TOPOLOGY_TOLERANCE_M2", "100"))
# Patrol photos: at most this many per record, each at most this size, in these formats
# (checked by decoding the file, not by its name or the browser's content type).
GRIDMAP_PATROL_MAX_PHOTOS = 6
# A visit recorded farther than this from the enterprise is flagged (not refused).
GRIDMAP_PATROL_VISIT_MAX_DISTANCE_M = float(os.environ.get("GRIDMAP_PATROL_VISIT_MAX_DISTANCE_M", "200"))
GRIDMAP_PATROL_PHOTO_MAX_BYTES = 10 * 1024 * 1024
GRIDMAP_PATROL_PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Demo users with a shared password are created only where this is true (never production).
GRIDMAP_ALLOW_DEMO_DATA = False
GRIDMAP_DEMO_PASSWORD = "gridmap-demo"
# Debian 12's GDAL is 3.6; GDAL >= 3.9 would add a guard against malicious spatial
# references. We only read CRS definitions from files an operator imports.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- enterprises: risk methods (domain.md §3) ----------------------------------------------
# Methods, factor tables and level bands are data. A band is (level, operator, bound), tried
# from the top; a score matching none is "low". LEC: the published mapping reads "D > 320
# 重大; 160–320 较大; 70–160 一般; < 70 低", so 320 is 较大 (not > 320), 70 is 一般 (not < 70),
# and the shared bound 160 goes to the higher level (the safer reading).
GRIDMAP_RISK_METHODS = {
    "LEC": {
        "label": "作业条件危险性分析法（LEC）",
        "formula": "D = L × E × C",
        "factors": {
            "L": ("10", "6", "3", "1", "0.5", "0.2", "0.1"),
            "E": ("10", "6", "3", "2", "1", "0.5"),
            "C": ("100", "40", "15", "7", "3", "1"),
        },
        "bands": (("major", ">", "320"), ("large", ">=", "160"), ("general", ">=", "70")),
    },
    # LS matrix, R = L × S with L, S in 1–5: 20–25 重大, 15–16 较大, 9–12 一般, 1–8 低.
    "LS": {
        "label": "风险矩阵法（LS）",
        "formula": "R = L × S",
        "factors": {"L": ("1", "2", "3", "4", "5"), "S": ("1", "2", "3", "4", "5")},
        "bands": (("major", ">=", "20"), ("large", ">=", "15"), ("general", ">=", "9")),
    },
}
# Control tiers (管控层级): every lower tier also controls a higher risk.
GRIDMAP_CONTROL_TIERS = {
    "major": ("company", "workshop", "team", "post"),
    "large": ("company", "workshop", "team", "post"),
    "general": ("workshop", "team", "post"),
    "low": ("team", "post"),
}
# A risk point's location may lie this far outside the enterprise's site and still count.
GRIDMAP_RISK_POINT_MAX_DISTANCE_M = float(os.environ.get("GRIDMAP_RISK_POINT_MAX_DISTANCE_M", "500"))
GRIDMAP_REGISTER_DIR = Path(os.environ.get("GRIDMAP_REGISTER_DIR", BASE_DIR / "media" / "registers"))
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

# --- inspections (domain.md §4) ----------------------------------------------------------------
# Planned visits a year by the enterprise's risk colour (red quarterly, orange twice a year,
# yellow and blue once); an enterprise not yet assessed is visited once.
GRIDMAP_PLAN_VISITS_BY_RISK = {"major": 4, "large": 2, "general": 1, "low": 1, "": 1}
# Double random (双随机): at least two law-enforcement staff per visit.
GRIDMAP_INSPECTORS_PER_VISIT = 2
# Supervised rectification (挂牌督办) of an overdue hazard gets its own deadline.
GRIDMAP_SUPERVISED_DEADLINE_DAYS = int(os.environ.get("GRIDMAP_SUPERVISED_DEADLINE_DAYS", "30"))
# Reports (举报) are to be handled within this many days.
GRIDMAP_REPORT_DEADLINE_DAYS = 15
# Major decisions pass legal review (法制审核) before they are issued: a penalty decision
# with a fine at or above this amount or ordering a production stop, and any document of
# the kinds listed. On-site measures (stops, sealing under Work Safety Law art. 65) are not.
GRIDMAP_MAJOR_FINE_YUAN = int(os.environ.get("GRIDMAP_MAJOR_FINE_YUAN", "50000"))
GRIDMAP_MAJOR_DECISION_KINDS = ("compulsory_measure",)
