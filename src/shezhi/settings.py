"""Settings, read from environment variables with safe defaults.

Embedded default: SQLite in WAL mode under ``SHEZHI_DATA_DIR`` (``./data``).
Set ``DATABASE_URL`` for PostgreSQL and ``REDIS_URL`` for a shared cache when
several app servers run behind a reverse proxy (see README).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("SHEZHI_DATA_DIR", str(Path.cwd() / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The given key, or one generated on first run and kept in the data folder."""
    given = env("SHEZHI_SECRET_KEY")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("SHEZHI_DEBUG", False)
ALLOWED_HOSTS = env_list("SHEZHI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("SHEZHI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "ninja",  # serves Swagger UI's assets locally, no CDN
    "django_tasks",
    "axes",
    "auditlog",
    "shezhi.core",
    "shezhi.core.search",
    "shezhi.areas",
    "shezhi.people",
    "shezhi.accounts",
    "shezhi.events",
    "shezhi.notifications",
    "shezhi.stats",
    "shezhi.places",
    "shezhi.incentives",
    "shezhi.volunteering",
    "shezhi.households",
    "shezhi.operations",
    "shezhi.visits",
    "shezhi.demands",
    "shezhi.lists",
    "shezhi.cases",
    "shezhi.campaigns",
    "shezhi.organisations",
    "shezhi.projects",
    "shezhi.demo",  # above the feature apps: `shezhi demo`
    # After shezhi.core: the project's db_worker (heartbeat, recovery of tasks whose
    # worker died) takes the library command's name.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shezhi.core.auth.ApiTokenMiddleware",
    # After both sign-in middlewares: it takes the actor of each change from request.user.
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shezhi.core.middleware.ContentSecurityPolicyMiddleware",
    # Last, as its documentation asks: turns a locked-out sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses sign-ins from a locked-out username/address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "shezhi.urls"
WSGI_APPLICATION = "shezhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shezhi.site.context_processors.platform",
                "shezhi.site.context_processors.shell",
            ],
        },
    }
]

# Database: SQLite (WAL) under the data folder unless DATABASE_URL is given.
SQLITE_ENGINE = "django.db.backends.sqlite3"
SQLITE_OPTIONS = {
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue (up to the timeout) instead of failing
    # with "database is locked" when a reading transaction turns into a write.
    # temp_store=MEMORY: the sorts of DISTINCT and GROUP BY (statistics, breakdowns by area)
    # stay in memory rather than in temporary files.
    "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
    "PRAGMA temp_store=MEMORY;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}


def database_config(url: str = "", default_path: str | Path = "") -> dict:
    """The default database from ``DATABASE_URL`` (or the SQLite file), as Django wants it.

    Every SQLite configuration, the embedded default and a ``sqlite:///path`` URL
    alike, gets the same options: WAL, IMMEDIATE transactions, the busy timeout.
    """
    if url:
        db = dj_database_url.parse(url, conn_max_age=60)
    else:
        db = {"ENGINE": SQLITE_ENGINE, "NAME": str(default_path)}
    if db["ENGINE"] == SQLITE_ENGINE:
        db["OPTIONS"] = {**SQLITE_OPTIONS, **db.get("OPTIONS", {})}
        # Opening a SQLite connection (pragmas, functions, schema) costs more than
        # a typical request's queries: keep it for the worker's life.
        db["CONN_MAX_AGE"] = int(env("SHEZHI_DB_CONN_MAX_AGE", "600"))
        db["CONN_HEALTH_CHECKS"] = True
    return db


DATABASES = {
    "default": database_config(
        env("DATABASE_URL"), env("SHEZHI_SQLITE_PATH", str(DATA_DIR / "shezhi.sqlite3"))
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# An index's INCLUDE columns are for PostgreSQL's index-only scans (events' rare filter
# combinations); SQLite builds the same index on its key columns, which is what we want.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": env("SHEZHI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A task still running after this long whose worker has not been heard from for as
# long (killed, its host gone) is run again; after this many dead workers it fails.
SHEZHI_TASK_TIMEOUT_SECONDS = int(env("SHEZHI_TASK_TIMEOUT_SECONDS", "300"))
SHEZHI_TASK_MAX_ATTEMPTS = int(env("SHEZHI_TASK_MAX_ATTEMPTS", "3"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling: after 5 failures for one username from one address, that
# pair is locked for 30 minutes (django-axes; counted in the database, so every
# app server sees the same count).
AXES_FAILURE_LIMIT = int(env("SHEZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("SHEZHI_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy set SHEZHI_PROXY_COUNT=1, or every client looks like the
# proxy's address and one person's typos would lock an account for everyone.
AXES_IPWARE_PROXY_COUNT = int(env("SHEZHI_PROXY_COUNT", "0"))
# Without a proxy, X-Forwarded-For is whatever the client says: ignore it then.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

LOGIN_URL = "login"
# "/" sends each role to its work (shezhi.site.navigation.landing_url).
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("SHEZHI_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("SHEZHI_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("SHEZHI_STATIC_MANIFEST", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Photos of events: a local folder by default; an S3-compatible object store
# (MinIO, OSS, COS, S3 …) when several app servers share them. Needs the
# "s3" extra: pip install 'shezhi[s3]'.
if env("SHEZHI_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("SHEZHI_S3_BUCKET"),
            "endpoint_url": env("SHEZHI_S3_ENDPOINT_URL") or None,
            "region_name": env("SHEZHI_S3_REGION") or None,
            "access_key": env("SHEZHI_S3_ACCESS_KEY") or None,
            "secret_key": env("SHEZHI_S3_SECRET_KEY") or None,
            # Photos are never public: they are streamed through a scoped page.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Security: secure cookies when served over HTTPS (SHEZHI_HTTPS=1 behind a proxy).
HTTPS = env_bool("SHEZHI_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Audit log (django-auditlog): who changed which record of the workforce and roles.
# Personal-data columns are never written into it (see the registrations).
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Uploads: an area file may be large (a district's micro-grids), but not unbounded.
SHEZHI_AREA_IMPORT_MAX_BYTES = int(env("SHEZHI_AREA_IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Events: photo limits, the working day, the report-in time of a whistle.
SHEZHI_MAX_PHOTO_BYTES = int(env("SHEZHI_MAX_PHOTO_BYTES", str(10 * 1024 * 1024)))
SHEZHI_MAX_PHOTOS = int(env("SHEZHI_MAX_PHOTOS", "6"))
SHEZHI_PHOTO_MAX_EDGE = int(env("SHEZHI_PHOTO_MAX_EDGE", "1600"))
# Pixels one photo may decode to (a JPEG counts at the reduced size it decodes to):
# checked from the header before decoding, so a tiny file cannot cost seconds.
SHEZHI_PHOTO_MAX_PIXELS = int(env("SHEZHI_PHOTO_MAX_PIXELS", str(40_000_000)))
SHEZHI_WORKING_HOURS = tuple(
    tuple(period.split("-"))
    for period in env_list("SHEZHI_WORKING_HOURS") or ["09:00-12:00", "13:30-17:30"]
)
SHEZHI_REPORT_IN_MINUTES = int(env("SHEZHI_REPORT_IN_MINUTES", "30"))
# 当场处置: the share of on-the-spot handlings the community spot-checks (0 to 1).
SHEZHI_SPOT_CHECK_SHARE = float(env("SHEZHI_SPOT_CHECK_SHARE", "0.1"))
# KPIs (stats.kpis): how soon a handler must answer a dispatch to count as responding, and
# what a 基本满意 counts in the satisfaction rate. SHEZHI_KPI_WEIGHTS / SHEZHI_KPI_GRADES may
# be set in a settings file to change the composite score (defaults in stats/kpis.py).
SHEZHI_KPI_RESPONSE_HOURS = float(env("SHEZHI_KPI_RESPONSE_HOURS", "2"))
SHEZHI_KPI_BASICALLY_SATISFIED_WEIGHT = float(env("SHEZHI_KPI_BASICALLY_SATISFIED_WEIGHT", "0.9"))

# Notifications: always in the app; also on these channels (console, sms, wecom).
SHEZHI_NOTIFICATION_CHANNELS = env_list("SHEZHI_NOTIFICATION_CHANNELS", "console")
SHEZHI_SMS_GATEWAY_URL = env("SHEZHI_SMS_GATEWAY_URL")
SHEZHI_SMS_GATEWAY_TOKEN = env("SHEZHI_SMS_GATEWAY_TOKEN")

# Residents' sign-up and sign-in codes (shezhi.accounts): how long one holds, how many
# wrong tries it allows, and how many codes a number and a client address may ask for.
SHEZHI_CODE_TTL_SECONDS = int(env("SHEZHI_CODE_TTL_SECONDS", "300"))
SHEZHI_CODE_MAX_ATTEMPTS = int(env("SHEZHI_CODE_MAX_ATTEMPTS", "5"))
SHEZHI_CODE_LIMITS = {
    "phone_minute": 60,  # seconds between two codes to one number
    "phone_hour": int(env("SHEZHI_CODES_PER_NUMBER_HOUR", "5")),
    "client_hour": int(env("SHEZHI_CODES_PER_ADDRESS_HOUR", "20")),
}
SHEZHI_WECOM_WEBHOOK_URL = env("SHEZHI_WECOM_WEBHOOK_URL")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Personal data (phones, ID numbers): encrypted with their own keys, never the
# SECRET_KEY. SHEZHI_PERSONAL_DATA_KEYS is a comma-separated list of Fernet keys,
# newest first (older ones still decrypt: rotation-ready); SHEZHI_BLIND_INDEX_KEY
# keys the HMAC that lets exact lookups work without decrypting. Without them, keys
# are generated on first run into the data folder (set them explicitly, and the same
# everywhere, when several app servers share a database).
SHEZHI_PERSONAL_DATA_KEYS = env_list("SHEZHI_PERSONAL_DATA_KEYS")
SHEZHI_BLIND_INDEX_KEY = env("SHEZHI_BLIND_INDEX_KEY")

# Tolerances for validating boundaries, in metres.
SHEZHI_AREA_TOLERANCE_M = float(env("SHEZHI_AREA_TOLERANCE_M", "1.0"))

# Map tiles: none by default (offline deployments); see README for 天地图 / OSM.
SHEZHI_TILE_URL = env("SHEZHI_TILE_URL")
SHEZHI_TILE_ATTRIBUTION = env("SHEZHI_TILE_ATTRIBUTION")
# The text before the tile attribution on every map (Leaflet's own shows a flag); plain text.
SHEZHI_MAP_ATTRIBUTION_PREFIX = env("SHEZHI_MAP_ATTRIBUTION_PREFIX", "Leaflet")

# gunicorn's control socket under `shezhi run`: in the data folder by default (one per
# installation, so two on one host do not take each other's), a path, or "off".
SHEZHI_GUNICORN_CONTROL_SOCKET = env("SHEZHI_GUNICORN_CONTROL_SOCKET")

# Chromium for the browser tests (Debian's package).
SHEZHI_CHROMIUM = env("SHEZHI_CHROMIUM", "/usr/bin/chromium")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("SHEZHI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
