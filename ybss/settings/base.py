"""Settings shared by every environment.

The database: ``DATABASE_URL`` (e.g. ``postgres://user@127.0.0.1:5432/ybss``) picks PostgreSQL;
without it ybss uses SQLite in WAL mode in ``YBSS_DATA_DIR`` (default ``./data``).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("YBSS_DATA_DIR", Path.cwd() / "data")).resolve()

SECRET_KEY = os.environ.get("YBSS_SECRET_KEY", "ybss-insecure-development-key-change-me")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("YBSS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "ybss.core",
    "ybss.org",
    "ybss.audit",
    "ybss.addresses",
    "ybss.registry",
    "ybss.demo",
    "ybss.transfer",
    "ybss.cleaning",
    "ybss.jobs",
    "ybss.mapping",
    "ybss.collection",
    "ybss.quality",
    "ybss.supervision",
    "ybss.search",
    "ybss.casework",
    "ybss.api",
    "ybss.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ybss.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ybss.core.middleware.AppErrorMiddleware",
]

ROOT_URLCONF = "ybss.urls"
WSGI_APPLICATION = "ybss.wsgi.application"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["ybss.org.auth.LockoutModelBackend"]
YBSS_LOGIN_MAX_FAILURES = 5
YBSS_LOGIN_LOCK_MINUTES = 15
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

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
                "ybss.web.context.nav",
            ],
        },
    },
]


def database_config() -> dict:
    """PostgreSQL when DATABASE_URL is set, else SQLite (WAL) in DATA_DIR."""
    url = os.environ.get("DATABASE_URL")
    if url:
        cfg: dict = dict(dj_database_url.parse(url, conn_max_age=60))
        cfg.setdefault("TEST", {})
        if os.environ.get("YBSS_TEST_DB_NAME"):
            cfg["TEST"]["NAME"] = os.environ["YBSS_TEST_DB_NAME"]
        return cfg
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "ybss.sqlite3"),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;PRAGMA cache_size=-64000;"
            ),
        },
    }


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS: list[Path] = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# The county this installation serves (GB/T 2260 code). Stamped on the county bureau and used
# by residence rules (寄住 needs a county hukou, 流动 an outside one).
YBSS_COUNTY_CODE = os.environ.get("YBSS_COUNTY_CODE", "610524")

NINJA_PAGINATION_PER_PAGE = 50

# The map page (标注, ``ybss.mapping``). Tiles come from the bureau's intranet tile server, never
# from the internet: a URL template such as "https://tiles.intranet/{z}/{x}/{y}.png"; "" = no
# tiles (the page draws a plain grid with the boundaries and door plates). The tiles' coordinate
# system (WGS84, GCJ02 or BD09) sets the page's default display system. Centre: [lat, lng].
YBSS_MAP_TILE_URL = os.environ.get("YBSS_MAP_TILE_URL", "")
YBSS_MAP_TILE_SYSTEM = os.environ.get("YBSS_MAP_TILE_SYSTEM", "WGS84")
YBSS_MAP_CENTER = [35.24, 110.15]

# Background jobs (web imports and exports, ``ybss.jobs``). The runner: "thread" runs each job in
# a daemon thread of the serving process; "inline" runs it inside the request (the tests).
YBSS_JOB_RUNNER = os.environ.get("YBSS_JOB_RUNNER", "thread")
#: Uploaded files, import reports and exports, one folder per job.
YBSS_JOBS_DIR = DATA_DIR / "jobs"
# The nightly quality scan run by ``ybss serve`` (local hour, or "off" to schedule it elsewhere).
YBSS_QUALITY_SCAN_HOUR = os.environ.get("YBSS_QUALITY_SCAN_HOUR", "2")
#: Minutes between live counts of the supervision rates in `ybss serve` ("off": never).
YBSS_RATES_REFRESH_MINUTES = os.environ.get("YBSS_RATES_REFRESH_MINUTES", "10")
# Photos sent with phone submissions (door plates), by content hash.
YBSS_PHOTOS_DIR = DATA_DIR / "photos"
#: Results are deleted this many days after their job ended (they hold personal data).
YBSS_JOB_FILES_DAYS = int(os.environ.get("YBSS_JOB_FILES_DAYS", "7"))
#: Progress is written to the job row at most this often (seconds).
YBSS_JOB_PROGRESS_SECONDS = 0.5
#: A running job on another host with no progress for this long is taken as dead (seconds).
YBSS_JOB_STALE_SECONDS = 3600
#: The largest file the import page accepts (MB).
YBSS_IMPORT_MAX_MB = int(os.environ.get("YBSS_IMPORT_MAX_MB", "100"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "ybss.core.logging.RedactPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False, "filters": ["redact"]},
        "ybss": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
