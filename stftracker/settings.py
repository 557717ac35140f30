"""The settings the product ships, read from the environment with django-environ.

Nothing set means production: DEBUG off, and then ``SECRET_KEY``, ``ALLOWED_HOSTS`` and a shared
cache (``REDIS_URL``, or ``DATABASE_CACHE=1``) are required. ``DEBUG=1`` (``make run`` sets it)
is the embedded development set-up: SQLite in the project folder, Celery tasks run in-process, a
local-memory cache.
"""
import datetime
from pathlib import Path

import dj_database_url
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from stftracker.alerts.mailconfig import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)  # fail closed: on only when asked for

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", cast=str.strip, default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", cast=str.strip, default=[])

INSTALLED_APPS = [
    "stftracker.apps.StfAdminConfig",  # Django's admin, needing the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "trusts",
    "performance",
    "finance",
    "stftracker",
    "stftracker.alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Near the top: a lost database anywhere below (sessions, lock-outs, views) becomes a 503.
    "stftracker.middleware.DatabaseUnavailableMiddleware",
    # A NUL character in the path, query or a form field: a plain 400 before any view.
    "stftracker.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their long cache): signed-in answers are private, no-store.
    "stftracker.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",  # after authentication: has this session passed the second factor?
    "stftracker.accounts.sessions.IdleTimeoutMiddleware",  # after authentication and messages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "stftracker.middleware.RequeueStaleRecomputesMiddleware",
]

ROOT_URLCONF = "stftracker.urls"
WSGI_APPLICATION = "stftracker.wsgi.application"

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
                "stftracker.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'stftracker.sqlite3'}",
        conn_max_age=env.int("CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout so the in-process worker and a request do not trip over each other.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's common-password list is the one maintained with Django; a word with digits or
# symbols added and a short pattern repeated are refused by our own validator (accounts/passwords.py).
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "stftracker.accounts.passwords.DecoratedWordValidator"},
]
LOGIN_URL = "login"
# The second factor (accounts/two_factor.py): the code step must follow the password step within
# LOGIN_CODE_TIMEOUT seconds; authenticator apps show the account under OTP_TOTP_ISSUER.
LOGIN_CODE_TIMEOUT = env.int("LOGIN_CODE_TIMEOUT", default=300)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="STF Tracker")
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "stftracker.staticfinders.PlotlyFinder",  # vendor/plotly.min.js from the plotly package
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# --- Redis, Celery, cache -------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died unacknowledged goes back on the queue after this many seconds; keep
# it longer than the longest task (CELERY_TASK_TIME_LIMIT).
_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    # Look for such tasks often enough for the timeout to mean what it says.
    "unacked_restore_interval": max(1, min(10, _VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 3,
}
# With Redis down, sending a task gives up within seconds; the run stays queued and is re-sent.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The nightly full recompute (every scheme, every trust); beat copies it into its database schedule.
CELERY_BEAT_SCHEDULE = {
    "nightly-full-recompute": {
        "task": "finance.periodic.nightly_recompute_task",
        "schedule": crontab(hour=env.int("NIGHTLY_RECOMPUTE_HOUR", default=2), minute=30),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# Throttles, cached API answers and re-send marks live in the default cache, so in production
# every web worker must share it: Redis, or (DATABASE_CACHE=1) a table in the database, made by
# `manage.py createcachetable`. Local memory, one count per worker, is for DEBUG only.
DATABASE_CACHE = env.bool("DATABASE_CACHE", default=False)
if REDIS_URL:
    # Redis errors are cache misses (stftracker.cache): pages carry on while Redis is down.
    CACHES = {
        "default": {
            "BACKEND": "stftracker.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
elif DATABASE_CACHE:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "stftracker_cache"}}
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        "Set REDIS_URL when DEBUG is off (or DATABASE_CACHE=1 to keep the cache in the database, after "
        "`python manage.py createcachetable`): a cache local to each worker would count throttles apart."
    )

# Recompute runs left queued (Redis was down when they were sent, or the process that sent them
# died) are sent again by beat, by a worker as it starts and, with RECOMPUTE_REQUEUE_ON_REQUEST,
# after a web request at most once per interval (finance/dispatch.py).
RECOMPUTE_REQUEUE_AFTER = env.int("RECOMPUTE_REQUEUE_AFTER", default=120)
RECOMPUTE_REQUEUE_INTERVAL = env.float("RECOMPUTE_REQUEUE_INTERVAL", default=60.0)
RECOMPUTE_REQUEUE_ON_REQUEST = env.bool("RECOMPUTE_REQUEUE_ON_REQUEST", default=True)
CELERY_IMPORTS = ["finance.periodic"]

# Whose bank holidays are not working days when a return's due date is counted (finance/chase.py):
# a subdivision of "GB" in the holidays package; England and Wales share theirs ("ENG").
BANK_HOLIDAYS_SUBDIVISION = env.str("BANK_HOLIDAYS_SUBDIVISION", default="ENG")
CELERY_BEAT_SCHEDULE["requeue-stale-recomputes"] = {
    "task": "finance.periodic.requeue_stale_runs_task",
    "schedule": RECOMPUTE_REQUEUE_INTERVAL,
}

# The trust page's what-if panel runs the engine for one trust (about 1.6 s of CPU): each user
# may ask this often (a DRF rate, counted in the default cache).
WHAT_IF_THROTTLE_RATE = env.str("WHAT_IF_THROTTLE_RATE", default="60/hour")
# Trusts on a page of the league table (the national table has 236; the CSV is always the whole table).
LEAGUE_PAGE_SIZE = env.int("LEAGUE_PAGE_SIZE", default=50)

# --- API ------------------------------------------------------------------------------------
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="2000/hour")
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 365
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "stftracker.accounts.authentication.TokenAuthentication",  # knox's hashed tokens, with clearer messages
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "stftracker.accounts.authentication.ReadOnlyTokenPermission",
    ],
    "DEFAULT_FILTER_BACKENDS": ["common.api.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],  # one allowance per user
    "DEFAULT_THROTTLE_RATES": {"user": API_THROTTLE_RATE},
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "STF Tracker API",
    "DESCRIPTION": "Sustainability and Transformation Fund eligibility, trusts and returns.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # No deep links: Swagger UI puts them as links inside each operation's button (a control
    # nested in a control, which screen readers and axe's nested-interactive refuse).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}
REST_KNOX = {"TOKEN_TTL": None}  # set per token on creation; see the token service
KNOX_TOKEN_MODEL = "knox.AuthToken"  # named so that migrations can point at it

# --- Security -------------------------------------------------------------------------------
# Log-in lock-outs (accounts/lockout.py): a short lock per username and address, and a lock per
# username across every address that spares the addresses the user has logged in from before.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # tries while locked neither count nor extend it
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the per-username count reads it
AXES_HANDLER = "stftracker.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "stftracker.accounts.lockout.lockout_response"  # renders the template, status 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
LOGIN_USERNAME_WINDOW = datetime.timedelta(minutes=env.int("LOGIN_USERNAME_WINDOW_MINUTES", default=60))
LOGIN_KNOWN_ADDRESS_DAYS = env.int("LOGIN_KNOWN_ADDRESS_DAYS", default=90)
# Behind a reverse proxy or load balancer, set TRUSTED_PROXY_COUNT to the number of proxies in
# front of gunicorn, so that failures are counted per client address, not per proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "stftracker.accounts.lockout.client_ip"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)  # a working day
# A session with no request for this long is logged out (accounts/sessions.py); its last request
# is recorded at most once every SESSION_ACTIVITY_RESOLUTION seconds. 0 turns the timeout off.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ACTIVITY_RESOLUTION = env.int("SESSION_ACTIVITY_RESOLUTION", default=60)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# X-Forwarded-Proto says a request came over HTTPS only when a proxy in front sets it; without
# one, any client could send it. Trusted behind TRUSTED_PROXY_COUNT proxies, or when told.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("SECURE_PROXY_SSL_HEADER", default=TRUSTED_PROXY_COUNT > 0)
    else None
)
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Scripts come from our own static files only: no inline script, no eval. The plotly.min.js
# bundle (plotly.js 4) draws SVG charts (bar, scatter, box, table...) under this policy: it sets
# inline style attributes and adds a <style> element, hence style-src 'unsafe-inline'; its only
# Function()/eval() uses are a bind() polyfill that modern browsers never reach and the map
# traces' worker loader (map traces would also need worker-src blob:; we draw no maps). The
# modebar's "download as PNG" draws through data:/blob: images, allowed in img-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Error reports (the debug page, mailed 500s) hide the settings and request variables that hold
# credentials, URLs with a password among them (DATABASE_URL in runserver's environment, REDIS_URL).
DEFAULT_EXCEPTION_REPORTER_FILTER = "stftracker.reporting.CredentialsFilter"

# --- Product settings -----------------------------------------------------------------------
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# What one uploaded file may cost a worker (common.xlsx, common.tabular, stftracker.intake):
# reading stops with a file error at the first row, column or non-empty cell past these; an XLSX
# is refused when its parts unpack (zip directory, then counted while reading) to more than
# UPLOAD_XLSX_MAX_UNCOMPRESSED_BYTES, or its shared strings to more than
# UPLOAD_XLSX_MAX_SHARED_STRINGS_BYTES. A national month is ~240 trusts x a few metrics, the RTT
# provider workbook ~500 providers x ~20 treatment functions x ~60 columns, a cancer extract a
# few thousand rows: all well inside. An upload keeps its first UPLOAD_MAX_ERRORS errors in full
# and counts the rest (errors_total).
UPLOAD_MAX_ROWS = env.int("UPLOAD_MAX_ROWS", default=50_000)
UPLOAD_MAX_COLUMNS = env.int("UPLOAD_MAX_COLUMNS", default=500)
UPLOAD_MAX_CELLS = env.int("UPLOAD_MAX_CELLS", default=1_000_000)
UPLOAD_XLSX_MAX_UNCOMPRESSED_BYTES = env.int("UPLOAD_XLSX_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024)
UPLOAD_XLSX_MAX_SHARED_STRINGS_BYTES = env.int("UPLOAD_XLSX_MAX_SHARED_STRINGS_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_ERRORS = env.int("UPLOAD_MAX_ERRORS", default=200)
# A previewed file waits in the database (trusts.PendingUpload) for its confirmation for
# UPLOAD_PREVIEW_SECONDS; a user has at most UPLOAD_PREVIEW_MAX_PENDING waiting, holding at most
# UPLOAD_PREVIEW_MAX_BYTES (older ones are dropped to make room).
UPLOAD_PREVIEW_SECONDS = env.int("UPLOAD_PREVIEW_SECONDS", default=3600)
UPLOAD_PREVIEW_MAX_PENDING = env.int("UPLOAD_PREVIEW_MAX_PENDING", default=5)
UPLOAD_PREVIEW_MAX_BYTES = env.int("UPLOAD_PREVIEW_MAX_BYTES", default=3 * UPLOAD_MAX_BYTES)
# Files each user may send to the upload page's preview and the uploads API (together), as
# DRF writes a rate: "N/second|minute|hour|day".
UPLOAD_THROTTLE_RATE = env.str("UPLOAD_THROTTLE_RATE", default="30/hour")
# Cancer Waiting Times: a STANDARD naming 62 days is the urgent GP referral standard unless it has
# one of these words (the screening and consultant-upgrade 62-day standards); see
# performance.published.is_urgent_gp_62_day.
CANCER62_STANDARD_EXCLUDES = env.list("CANCER62_STANDARD_EXCLUDES", default=["screening", "upgrade"])
# The quarterly review pack (stftracker.packs): built in the request for at most this many trusts,
# above it by a Celery task whose progress the client polls. bench/pack.py measured 0.15 s for 50
# trusts, 0.3-0.6 s for 300 and 1.8 s for 1,000 (SQLite, a busy two-CPU machine): 300 keeps an
# inline build under a second. An under-way build older than PACK_BUILD_ABANDONED_AFTER seconds
# is not waited for (a new one starts).
PACK_INLINE_MAX_TRUSTS = env.int("PACK_INLINE_MAX_TRUSTS", default=300)
PACK_BUILD_ABANDONED_AFTER = env.int("PACK_BUILD_ABANDONED_AFTER", default=CELERY_TASK_TIME_LIMIT + 60)
CELERY_IMPORTS = [*CELERY_IMPORTS, "stftracker.packs.tasks"]
# Documents attached to adjustments on review: stored under MEDIA_ROOT/adjustments/ and served only to
# analysts through the adjustment's page (there is no public media URL). At most
# ADJUSTMENT_DOCUMENT_MAX_BYTES, of the types listed (checked by extension and by content).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
ADJUSTMENT_DOCUMENT_MAX_BYTES = env.int("ADJUSTMENT_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
ADJUSTMENT_DOCUMENT_TYPES = env.list(
    "ADJUSTMENT_DOCUMENT_TYPES", cast=str.strip, default=["pdf", "docx", "xlsx", "png", "jpg", "eml", "msg"]
)
# Decided trust-quarters are closed to their finance directors' finance returns unless an analyst
# reopens them (finance.reopenings); 0 lets directors upload returns of any quarter.
UPLOADS_CLOSE_DECIDED_QUARTERS = env.bool("UPLOADS_CLOSE_DECIDED_QUARTERS", default=True)

# Alerts by email (stftracker.alerts): mail goes through the server of EMAIL_URL (see
# stftracker/alerts/mailconfig.py; unset: printed with DEBUG on, refused with a clear error with it
# off), from DEFAULT_FROM_EMAIL, with links to SITE_URL. The send_alerts task runs every hour at
# ALERTS_MINUTE past and, with ALERTS_AFTER_RECOMPUTE, after each recompute that wrote figures. An
# unsubscribe link works for ALERTS_UNSUBSCRIBE_DAYS days.
EMAIL_URL = env.str("EMAIL_URL", default="")
globals().update(email_settings(EMAIL_URL, debug=DEBUG))
# EMAIL_URL's ?_default_from_email= is dj-email-url's own way to give the sender; DEFAULT_FROM_EMAIL wins.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="") or globals().get(
    "DEFAULT_FROM_EMAIL", "STF Tracker <noreply@localhost>")
_FIRST_HOST = next((host.lstrip(".") for host in ALLOWED_HOSTS if "*" not in host), "localhost")
SITE_URL = (env.str("SITE_URL", default="")
            or ("http://127.0.0.1:8000" if DEBUG else f"https://{_FIRST_HOST}")).rstrip("/")
ALERTS_MINUTE = env.int("ALERTS_MINUTE", default=5)
ALERTS_AFTER_RECOMPUTE = env.bool("ALERTS_AFTER_RECOMPUTE", default=True)
ALERTS_UNSUBSCRIBE_DAYS = env.int("ALERTS_UNSUBSCRIBE_DAYS", default=365)
CELERY_IMPORTS = [*CELERY_IMPORTS, "stftracker.alerts.tasks"]
CELERY_BEAT_SCHEDULE["send-alerts"] = {
    "task": "stftracker.alerts.tasks.send_alerts",
    "schedule": crontab(minute=ALERTS_MINUTE),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# A year end that waits for returns names this many trusts in its message (the rest are counted;
# the page and the API list every one).
YEAR_END_WAITS_NAMED = env.int("YEAR_END_WAITS_NAMED", default=5)
# The scheme API's year_end_method and the year-end API's method share one enum in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {"YearEndMethodEnum": "finance.models.YearEndMethod"}
