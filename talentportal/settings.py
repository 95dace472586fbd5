"""TalentPortal settings: one module, read from the environment, safe development defaults.

Every variable is listed in `.env.example`. Production sets DEBUG=0, DJANGO_SECURE=1 and a real
SECRET_KEY; nothing here exists only in production.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# HTTPS-only settings (below), switched on in production by DJANGO_SECURE=1 (behind a TLS proxy).
SECURE = env_bool("DJANGO_SECURE", not DEBUG)
# The development key is public on purpose. Production (DEBUG=0 with DJANGO_SECURE=1) refuses to
# start without SECRET_KEY; DEBUG=0 DJANGO_SECURE=0 is for loopback benchmarks, and check --deploy
# still fails on the development key there.
SECRET_KEY = env("SECRET_KEY", "django-insecure-development-only-key-change-me")
if SECURE and not DEBUG and not env("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0 and DJANGO_SECURE=1.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# Who runs the site, shown in every page's header and footer as government portals do
# (talentportal/context_processors.py); a blank one is not shown. The logo is a path on this site
# (the content security policy loads images from 'self' only).
SITE_SPONSOR = env("SITE_SPONSOR")  # 主办单位
SITE_ORGANIZER = env("SITE_ORGANIZER")  # 承办单位
SITE_PHONE = env("SITE_PHONE")
SITE_EMAIL = env("SITE_EMAIL")
SITE_ADDRESS = env("SITE_ADDRESS")
SITE_IDENTIFIER = env("SITE_IDENTIFIER")  # 网站标识码
SITE_ICP = env("SITE_ICP")  # ICP备案号, linked to beian.miit.gov.cn
SITE_PSB = env("SITE_PSB")  # 公安机关备案号
SITE_LOGO_URL = env("SITE_LOGO_URL")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "nested_admin",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "regions",
    "programs",
    "bench",
]

MIDDLEWARE = [
    # First: HEAD is answered as GET without the body, whatever the view allows (talentportal/edge).
    "talentportal.edge.HeadAsGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files get the policy and the frame denial too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # 400 for a NUL, another control character or bytes that are not UTF-8 in the path, the query,
    # a header, a cookie or a form field, before any of them reaches a query.
    "talentportal.edge.InvalidInputMiddleware",
    # SQLite's lock not obtained in SQLITE_TIMEOUT seconds: 503 with Retry-After, not a 500; a
    # number too large for SQLite: 400.
    "talentportal.edge.DatabaseLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "talentportal.sessions.SignInAgeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes requires: turns a lockout found during sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "talentportal.urls"
WSGI_APPLICATION = "talentportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "regions.context_processors.roles",
                "programs.context_processors.preferences",
                "talentportal.context_processors.site",
            ],
        },
    },
]

# SQLite file by default; PostgreSQL (or any URL dj-database-url knows) by one variable.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. A transaction that reads and then writes (every save) must
    # take the write lock when it begins: upgraded later, two of them deadlock and one fails at
    # once with "database is locked". A writer waits up to SQLITE_TIMEOUT seconds for the lock;
    # then the request is answered 503 (talentportal.edge.DatabaseLimitsMiddleware).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 10),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis cache when REDIS_CACHE_URL is set, local memory otherwise. The cache holds only what can
# be made again, so either is bounded and throws out the least recently used entries when full:
# local memory at CACHE_MAX_ENTRIES entries per process, Redis by its own maxmemory and
# allkeys-lru (docker-compose.yml's cache service). The Celery broker is another Redis
# (CELERY_BROKER_URL), which must never evict.
if env("REDIS_CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_CACHE_URL"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 1000)},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out username + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that reads a session's user with its last deactivation (talentportal.sessions).
    "talentportal.sessions.AccountBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "programs:home"
LOGOUT_REDIRECT_URL = "public:home"

# Chinese first, English switchable.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# E-mail: printed to the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "TalentPortal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured, tasks run eagerly in the calling process
# (so make run needs no Redis).
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# Longer than the longest task, so Redis does not hand an unacknowledged task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 30 * 60)
}

# The deadline calendar (programs/reminders.py): each schedule is a cron line, overridable.
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 3)
# Entry closes at the deadline; the period locks (no review either) this many days later.
LOCK_GRACE_DAYS = env_int("LOCK_GRACE_DAYS", 7)


def cron(name: str, default: str):
    from celery.schedules import crontab

    minute, hour, day_of_month, month_of_year, day_of_week = env(name, default).split()
    return crontab(minute, hour, day_of_week, day_of_month, month_of_year)


CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "programs.tasks.deadline_reminders",
        "schedule": cron("REMINDER_SCHEDULE", "0 9 * * *"),
    },
    "lock-due-periods": {
        "task": "programs.tasks.lock_due_periods",
        "schedule": cron("LOCK_SCHEDULE", "*/15 * * * *"),
    },
    "refresh-rollups": {
        "task": "programs.tasks.refresh_rollups",
        "schedule": cron("ROLLUP_SCHEDULE", "30 2 * * *"),
    },
}

# HTTPS-only settings (SECURE is read at the top), for production behind a TLS proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# A refused CSRF check answers with the site's own page (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "programs.views.site.csrf_failure"

# Sessions live in the database and last SESSION_COOKIE_AGE from sign-in, however they are used
# meanwhile (talentportal/sessions.py).
# They also end when the browser closes: officials often share office computers, and the server
# still caps a session that a browser keeps (session restore) at SESSION_COOKIE_AGE.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# One static policy for every response: public pages are cached whole, so there are no nonces.
# Templates therefore have no inline scripts, event handlers, style attributes or <style>;
# chart data is JSON in <script type="application/json">, which is data and never executed.
# ECharts needs no 'unsafe-inline': its SVG renderer styles through the CSSOM (allowed), and
# static/js/charts.js asks for its tooltips in the SVG (richText) instead of styled HTML.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in throttling (django-axes): 5 failures for one username from one address lock that pair
# for AXES_COOLOFF_MINUTES, on the sign-in page, the admin and the API token endpoint. Attempts
# during the lockout do not extend it, so the lockout page can say when it ends.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "talentportal.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "talentportal.lockout.client_ip"
# Proxies in front of Django that append to X-Forwarded-For; 0 trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Every sign-in attempt: failures and lockouts at WARNING, successes at INFO.
    "loggers": {"axes": {"level": "INFO"}},
}

# Officials' evidence files: each file, and all the files of one figure together.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
EVIDENCE_MAX_FILES_PER_REPORT = env_int("EVIDENCE_MAX_FILES_PER_REPORT", 10)
EVIDENCE_MAX_BYTES_PER_REPORT = env_int("EVIDENCE_MAX_BYTES_PER_REPORT", 50 * 1024 * 1024)
# A closed period reopened for a region stays open at most this many days.
MAX_REOPEN_DAYS = env_int("MAX_REOPEN_DAYS", 365)
# Jobs (reports, exports, imports) one user may have queued or running at once, and start per hour.
JOBS_MAX_IN_FLIGHT_PER_USER = env_int("JOBS_MAX_IN_FLIGHT_PER_USER", 3)
JOBS_MAX_PER_HOUR_PER_USER = env_int("JOBS_MAX_PER_HOUR_PER_USER", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Uploaded workbooks (the grid's Excel upload, the catalog import): programs/xlsx counts these
# while it reads the file as a stream, and refuses it with a message at the first one passed.
XLSX_MAX_UPLOAD_BYTES = env_int("XLSX_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
XLSX_MAX_UNPACKED_BYTES = env_int("XLSX_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)  # all parts
XLSX_MAX_PART_BYTES = env_int("XLSX_MAX_PART_BYTES", 50 * 1024 * 1024)  # one part, unpacked
XLSX_MAX_PARTS = env_int("XLSX_MAX_PARTS", 1000)  # files in the zip; Excel writes about 15
XLSX_MAX_ROWS = env_int("XLSX_MAX_ROWS", 50_000)  # data rows read from one sheet
XLSX_MAX_SHEET_ROWS = env_int("XLSX_MAX_SHEET_ROWS", 60_000)  # highest row number of a sheet
XLSX_MAX_ROW_CELLS = env_int("XLSX_MAX_ROW_CELLS", 1024)  # cells in one row
XLSX_MAX_SHEET_CELLS = env_int("XLSX_MAX_SHEET_CELLS", 600_000)  # cells in one sheet
XLSX_MAX_CELLS = env_int("XLSX_MAX_CELLS", 1_000_000)  # cells in the whole workbook
XLSX_MAX_SHARED_STRINGS = env_int("XLSX_MAX_SHARED_STRINGS", 200_000)  # different texts

# The API for systems that push data: token or session auth, the same access rules as the pages.
# An API token lives API_TOKEN_TTL_HOURS from when it was issued (30 days); then it answers 401
# and its owner obtains a new one (regions/tokens.py). DELETE /api/v1/auth/token/ revokes it.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 30 * 24)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "regions.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_PARSER_CLASSES": [
        "talentportal.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # JSON only: DRF's browsable pages carry inline styles that the Content-Security-Policy refuses
    # (and would need their own copies of DRF's templates kept in step). Swagger UI at /api/docs/
    # is the API's page for people.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# JSON request bodies nested deeper than this are refused with a 400 (a bulk request is 3 deep).
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 20)
SPECTACULAR_SETTINGS = {
    "TITLE": "TalentPortal API",
    "DESCRIPTION": "Progress figures of regional talent programs: officials' API and open data.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, never a CDN (the CSP allows only 'self').
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Choice sets that share a field name ("kind") get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "IndicatorKindEnum": "programs.choices.IndicatorKind",
        "RegionKindEnum": "regions.choices.RegionKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "programs.api.schema.empty_query_values_are_absent",
        "programs.api.schema.text_refuses_nul",
        "programs.api.schema.json_only_bodies_refuse_others",
    ],
}
