"""Settings for Recall: one file, every difference between environments an environment variable.

See the README's "Configuration" section for the list.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable. A value that is neither (a typo in DJANGO_DEBUG) stops the start
    instead of silently meaning false."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value not in TRUE | FALSE:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a yes/no value: use one of {', '.join(sorted(TRUE | FALSE - {''}))}."
        )
    return value in TRUE


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

INSECURE_DEV_KEY = "django-insecure-dev-only-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", INSECURE_DEV_KEY)
if not DEBUG and SECRET_KEY == INSECURE_DEV_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY: the built-in development key is refused when DJANGO_DEBUG is off."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# How many reverse proxies in front of the site append to X-Forwarded-For (rate limits use it).
TRUSTED_PROXIES = env_int("DJANGO_TRUSTED_PROXIES", 0)

INSTALLED_APPS = [
    "learn.adminsite.RecallAdminConfig",  # django.contrib.admin, its index showing open reports
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "csp",
    "template_partials",
    "learn",
    "glossary",
    "quizzes",
]

MIDDLEWARE = [
    # First: a body larger than its view takes is refused before anything reads it (413).
    "learn.core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, already compressed, stop here
    # Pages gzipped for clients that accept it (with Django's BREACH mitigation since 4.2).
    "django.middleware.gzip.GZipMiddleware",
    # Cache-Control: private on what was made from a learner's session (outside it: sees the key).
    "learn.core.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "learn.core.sessions.AuthenticationMiddleware",  # the user read with the session
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "learn.core.middleware.LearnerTimeZoneMiddleware",
    "learn.core.middleware.DatabaseBusyMiddleware",
    "learn.core.middleware.RateLimitedMiddleware",
]

ROOT_URLCONF = os.environ.get("DJANGO_ROOT_URLCONF", "learn.urls")  # the benchmark adds its floor
# Widgets render through TEMPLATES, so templates/admin/widgets/ can hold the project's own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "learn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Partials read like Django 6's built-in {% partialdef %}: no {% load %} needed.
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quizzes.context_processors.review_due",
                "learn.core.pagecache.holes",
            ],
        },
    }
]

# SQLite by default; PostgreSQL (or anything dj-database-url knows) when DATABASE_URL says so.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
CONN_MAX_AGE = env_int("DJANGO_CONN_MAX_AGE", 60)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=CONN_MAX_AGE,
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("DJANGO_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # A file, not memory, so tests of concurrent requests see real SQLite locking.
            "TEST": {"NAME": str(BASE_DIR / "test-db.sqlite3")},
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent read-then-write
                # requests queue on the busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 5,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Per-process caches, and still right when several instances share one database: everything in
# them is keyed by what it was made from (rendered Markdown by a hash of its text, pages and
# counts by the content version that every lookup reads from the database first).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "recall-default",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # Whole pages, with holes for per-request parts (learn/pagecache.py): 1,000 pages a process,
    # about 25 MB at today's page sizes.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "recall-pages",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

# Parts of learners' pages kept per process, one per content version and state
# (learn/core/fragments.py: a quiz question unanswered in a given choice order, or answered with a
# given choice): 2 to 4 KB each, so about 40 MB a process at most. And quizzes with their
# questions, unpickled (quizzes/views.py published_quiz).
FRAGMENT_CACHE_ENTRIES = env_int("DJANGO_FRAGMENT_CACHE_ENTRIES", 10000)
QUIZ_CACHE_ENTRIES = env_int("DJANGO_QUIZ_CACHE_ENTRIES", 1000)

# Off while developing (DJANGO_DEBUG=true), so that an edited template shows at once; on in
# production and in the tests. DJANGO_PAGE_CACHE=true/false overrides.
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", default=not DEBUG)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "learn:home"
LOGOUT_REDIRECT_URL = "learn:home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("DJANGO_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A strict Content-Security-Policy: everything from this origin, nothing inline, no eval. htmx
# runs under it with allowEval false and includeIndicatorStyles false (templates/base.html).
# worker-src: the forgetting lab trains in a module worker from this origin (static/js/lab/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "worker-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Requests: a bounded body (admin articles are far smaller), a bounded number of fields. The body
# limit holds before anything is read (learn.core.middleware.RequestBodyLimitMiddleware, 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# No view takes files: file parts of a multipart body are read and dropped, never written to disk.
# A view marked @accepts_uploads() (a future authoring import) gets Django's usual handlers and
# its own body limit, DJANGO_UPLOAD_MAX_BYTES.
FILE_UPLOAD_HANDLERS = []
UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_BYTES = env_int("DJANGO_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

# Rate limits (see learn/ratelimit.py and README's Security section). The benchmark raises the
# per-learner and per-address thresholds: it plays hundreds of learners from one address.
# The memory model's target: the chance of recalling a question when it comes back for review.
DESIRED_RETENTION = float(os.environ.get("DJANGO_DESIRED_RETENTION", "0.9"))
if not 0.7 <= DESIRED_RETENTION <= 0.97:
    raise ImproperlyConfigured("DJANGO_DESIRED_RETENTION must be between 0.7 and 0.97.")

ANSWERS_PER_MINUTE = env_int("DJANGO_ANSWERS_PER_MINUTE", 60)
NEW_VISITORS_PER_HOUR = env_int("DJANGO_NEW_VISITORS_PER_HOUR", 500)

# `make bench` only: a constant HttpResponse("ok") view, the framework's floor.

SESSION_ENGINE = "learn.core.sessions"
# Anonymous learners' progress lives in their session: keep it for six months of inactivity
# (learn/core/learners.py renews the cookie once a day while they use the site).
SESSION_COOKIE_AGE = 60 * 60 * 24 * 180
# A signed-in session lasts 30 days from signing in: a lost or copied cookie stops working within
# a month, and "Log out everywhere else" (/accounts/) ends the others at once.
SIGNED_IN_SESSION_AGE = 60 * 60 * 24 * 30
# Password reset links work once, for this long (stated on the pages and in the email).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
# Email-change links (sent to the new address) work for this long.
EMAIL_CHANGE_TIMEOUT = 60 * 60 * 24 * 2
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages carry the token (forms and hx-headers); no script reads the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "learn.core.views.csrf_failure"

# Behind a TLS-terminating proxy: one switch turns on every HTTPS setting.
if env_bool("DJANGO_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Email: printed to the terminal while developing (make run), sent over SMTP otherwise. The
# variables are listed in README's configuration table.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=True)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", default=False)
if EMAIL_USE_SSL:
    EMAIL_USE_TLS = False  # implicit TLS (port 465) instead of STARTTLS
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Recall <recall@localhost>")
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Who is mailed a report of every server error: "Name <address>" entries, comma-separated.
ADMINS = [
    (name.strip() or address, address)
    for name, address in (
        (entry.rpartition("<")[0], entry.rpartition("<")[2].rstrip(">").strip())
        for entry in env_list("DJANGO_ADMINS")
    )
]

# Errors are logged with what is needed to act on them (method, path, user, client address,
# traceback) and mailed to ADMINS when there are any (AdminEmailHandler sends nothing otherwise).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "learn.core.logs.RequestContext"},
        "production": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "site": {
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s%(request_context)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": "site"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["production"],
        },
    },
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
