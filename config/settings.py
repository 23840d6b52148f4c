"""sgviz settings: one module, driven by environment variables (see README.md, "Configuration").

With no environment at all the site runs on this machine alone: SQLite, the in-memory channel
layer, static files served straight from the source folders. DATABASE_URL and REDIS_URL switch
to the scaled deployment; DEBUG, SECRET_KEY, ALLOWED_HOSTS and the HTTPS variables make it a
production site that passes `manage.py check --deploy`.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from sandbox.editor import most_fields_posted  # pure (no Django): the editor's fields at the caps

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use 1/0, true/false, yes/no or on/off")


def env_list(name, default):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None


DEBUG = env_bool("DEBUG", False)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The development key is public (it is in this file), so it is only accepted while the site
# answers nothing but loopback names: a server reachable from elsewhere must set SECRET_KEY.
# The "django-insecure-" prefix also makes `check --deploy` flag it.
LOCAL_ONLY_HOSTS = {"127.0.0.1", "localhost", "[::1]", "testserver"}
DEVELOPMENT_SECRET_KEY = "django-insecure-sgviz-local-development-key-never-use-on-a-server"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not set(ALLOWED_HOSTS) <= LOCAL_ONLY_HOSTS:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. It may only be left out while ALLOWED_HOSTS is limited to "
            f"{', '.join(sorted(LOCAL_ONLY_HOSTS))}; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

INSTALLED_APPS = [
    "daphne",  # first, so that runserver serves ASGI (websockets included)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "nested_admin",
    "learners",
    "lessons",
    "player",
    "quiz",
    "modes",
    "practice",
    "recall",
    "sandbox",
    "classroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, already compressed: before GZip
    # Compresses pages as the last step of the response (Django's docs: above any middleware
    # that reads or changes the body). Since Django 4.2 it pads gzip output at random against
    # BREACH, so pages with a CSRF token may be compressed.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "config.templates.DjangoTemplates",  # Django's, each context freed after its render (config/templates.py)
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL names another one.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Any SQLite database, the default or one DATABASE_URL names: daphne runs views on several
# threads, so wait for the write lock instead of failing with "database is locked", and take
# it at the start of a transaction. (WAL would make a vote's commit 25x cheaper, but with it
# the test suite's forked live servers stopped seeing rows the test process had written.)
SQLITE_OPTIONS = {"init_command": "PRAGMA busy_timeout=5000;", "transaction_mode": "IMMEDIATE"}
if DATABASE_URL:
    # Under ASGI every request may run on a different thread, so persistent connections
    # leak; PostgreSQL gets Django's connection pool instead.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
        # Named explicitly because ChannelsLiveServerTestCase's server process derives the
        # name from NAME when it is unset, after the test runner has already prefixed NAME
        # ("test_test_sgviz").
        DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}"}
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    # The test database must be a file, not SQLite's in-memory default, because
    # ChannelsLiveServerTestCase serves it from a second process. Its name is fixed once
    # per test run (children inherit the environment) so that two test runs in the same
    # checkout never delete each other's database.
    os.environ.setdefault(
        "SGVIZ_TEST_SQLITE", str(Path(tempfile.gettempdir()) / f"sgviz-test-{os.getpid()}.sqlite3")
    )
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
            "TEST": {"NAME": os.environ["SGVIZ_TEST_SQLITE"]},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: one process needs nothing more; several daphne processes share Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 100),
                        # redis-py 8 gives up on a read after 5 s by default, exactly as long as
                        # channels_redis's blocking pop waits for a message: every idle consumer
                        # would die with a TimeoutError. Reads must outlast the pop.
                        "socket_timeout": 30,
                        "socket_connect_timeout": 5,
                    }
                ],
                "prefix": os.environ.get("REDIS_PREFIX", "sgviz"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The sandbox's editor is one form whose every row posts its fields: a draft at every cap
# posts 44,305 (sandbox.editor.most_fields_posted, computed from the caps), and Django's
# default of 1,000 refused every Save of a 5-group, 300-rule draft (3,433 fields). The limit is
# the site's rather than the editor's views' alone: those are open to any visitor, account or
# not, so a per-view limit would leave the same parsing one address away, and it would need a
# parser of its own ahead of the CSRF middleware (which reads the post first). A post's cost
# stays bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, left at Django's 2.5 MB, which the largest post
# the caps allow fits (tests/sandbox/test_limits.py); parsing 44,305 fields takes ~0.1 s of
# CPU, less than half of the save such a post carries.
DATA_UPLOAD_MAX_NUMBER_FIELDS = most_fields_posted()

SESSION_ENGINE = "django.contrib.sessions.backends.db"  # a learner's quiz answers are rows keyed by its session key

# Accounts are optional (learners app): signing in keeps a browser's progress across devices.
LOGIN_URL = "learners:sign_in"
LOGIN_REDIRECT_URL = "learners:progress"
LOGOUT_REDIRECT_URL = "lessons:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise from daphne itself (daphne serves none with DEBUG off).
# With STATIC_ROOT set, `collectstatic` gathers hashed, pre-compressed copies there and the
# site serves those (production). Without it, WhiteNoise serves the source folders directly,
# so `make run` and the tests need no collectstatic step.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_ROOT
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_ROOT
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers. The Content-Security-Policy allows nothing inline: every script and
# style is a file from this site. 'self' also covers ws:/wss: to this host in CSP Level 3.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS: on for production (HTTPS=1), which turns on redirects, secure cookies and HSTS.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# Only behind a proxy that sets X-Forwarded-Proto itself (and strips the client's) may the
# site believe it; otherwise any client could claim HTTPS.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
