"""Tingwu settings: one module, everything configurable from the environment (docs/configuration.md)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from lib.env import env_bool, env_int, env_list, env_str
from tingwu.db.pool import connection_check, connection_returned
from tingwu.secrets import load_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TINGWU_VAR_DIR", str(BASE_DIR / "var")))
TINGWU_ENV = env_str("TINGWU_ENV", "local")
PRODUCTION = TINGWU_ENV == "production"

_secrets = load_secrets(VAR_DIR, PRODUCTION)
SECRET_KEY = _secrets["SECRET_KEY"]
TINGWU_ENCRYPTION_KEYS = _secrets["TINGWU_ENCRYPTION_KEYS"]
TINGWU_BLIND_INDEX_KEY = _secrets["TINGWU_BLIND_INDEX_KEY"]

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files (no CDN: halls run on intranets)
    "axes",
    "django_tasks_db",
    "tingwu",
    # shared core
    "halls",
    "staff",
    "privacy",
    "standard",
    "catalog",
    "integrations",
    # domains
    "queueing",
    "floor",
    "sla",
    "notify",
    "casework",  # the case-file kernel: abstract models and functions only, no tables
    "complaints",
    "consultations",
    "facilities",
    "inspections",
    "training",
    "visits",
    "evaluations",
    "kpi",  # last: it reads what every other domain recorded
]

MIDDLEWARE = [
    "tingwu.overload.OverloadMiddleware",  # first: a pool timeout or a locked SQLite anywhere below → 503
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staff.middleware.SessionPolicyMiddleware",
    "staff.web.AccessErrorMiddleware",  # NotFound/Forbidden from any view → 404/403 (JSON under /api/)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tingwu.urls"
WSGI_APPLICATION = "tingwu.wsgi.application"
ASGI_APPLICATION = "tingwu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "staff.context_processors.staff_context",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------
# SQLite (embedded default): WAL + IMMEDIATE transactions so writers queue instead of failing.
_default_sqlite = f"sqlite:///{VAR_DIR / 'tingwu.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with connections kept across ASGI's threads and writers taking turns (tingwu/db/sqlite3).
    DATABASES["default"]["ENGINE"] = "tingwu.db.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a real file (not the shared in-memory DB) so concurrency tests see real WAL locking;
    # the pid keeps parallel runs apart.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    # Under ASGI each request's sync code runs in a fresh thread, so CONN_MAX_AGE cannot keep a connection (it is
    # thread-local); without a pool every request paid a new PostgreSQL backend (docs/performance.md). Django's own psycopg pool
    # (psycopg_pool) keeps them per process instead.
    if env_bool("DB_POOL", True):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 2),
            "max_size": env_int("DB_POOL_MAX", 20),
            "timeout": 10,
            # A connection handed back moments ago is checked without a round trip (tingwu/db/pool.py).
            "check": connection_check,
            "reset": connection_returned,
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Requests at the database at once per web process (tingwu/overload.py); unset: the pool's max_size (none on SQLite).
TINGWU_MAX_DB_REQUESTS = (
    env_int("TINGWU_MAX_DB_REQUESTS", 0) if os.environ.get("TINGWU_MAX_DB_REQUESTS") else None
)
TINGWU_ADMISSION_WAIT = env_int("TINGWU_ADMISSION_WAIT", 20)  # seconds in the queue before a 503
TINGWU_RETRY_AFTER = env_int("TINGWU_RETRY_AFTER", 2)  # the 503's Retry-After (seconds)

# Queue hot path (queueing/hotpath, PostgreSQL and SQLite): issue / call-next / start / finish without Django.
QUEUE_HOT_PATH = env_bool("QUEUE_HOT_PATH", True)
QUEUE_HOT_PATH_CONNECTIONS = env_int("QUEUE_HOT_PATH_CONNECTIONS", 4)
QUEUE_HOT_PATH_AUTH_TTL = env_int("QUEUE_HOT_PATH_AUTH_TTL", 60)  # seconds an accepted credential is reused

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work: Django's tasks API with the django-tasks-db backend ----------------------
TASKS = {"default": {"BACKEND": env_str("TINGWU_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Auth, passwords, sessions （等保 profile by default; STF / BIZ-3） ---------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out account is refused before any password check
    "staff.backends.StaffModelBackend",  # user + staff profile in one query per request (issue 14)
    # Not for logging in (StaffModelBackend refuses for it): sessions opened before StaffModelBackend store this path,
    # and Django ends a session whose backend is no longer listed.
    "django.contrib.auth.backends.ModelBackend",
]
TINGWU_PASSWORD_MIN_LENGTH = env_int("TINGWU_PASSWORD_MIN_LENGTH", 8)
TINGWU_PASSWORD_MIN_CLASSES = env_int("TINGWU_PASSWORD_MIN_CLASSES", 3)
TINGWU_PASSWORD_MAX_AGE_DAYS = env_int("TINGWU_PASSWORD_MAX_AGE_DAYS", 90)
TINGWU_PASSWORD_HISTORY = env_int("TINGWU_PASSWORD_HISTORY", 5)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": TINGWU_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "staff.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": TINGWU_PASSWORD_MIN_CLASSES},
    },
    {"NAME": "staff.passwords.HistoryValidator", "OPTIONS": {"history": TINGWU_PASSWORD_HISTORY}},
    {"NAME": "staff.passwords.CommonPasswordPatternValidator"},
    {"NAME": "staff.passwords.PreviousPasswordVariationValidator"},
]
AXES_FAILURE_LIMIT = env_int("TINGWU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TINGWU_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# Lock out per account: a whole hall sits behind one NAT address, so an IP lock-out would lock every clerk out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_ENGINE = "staff.sessions"  # Django's db engine, its row read by one plain statement (issue 14)
SESSION_COOKIE_AGE = env_int("TINGWU_SESSION_MAX_AGE", 12 * 3600)  # absolute lifetime
TINGWU_SESSION_IDLE_SECONDS = env_int("TINGWU_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- i18n ----------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tingwu" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    # Private files (complaint evidence): never under a public URL; served only through views that check access.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # ECharts and htmx set style attributes from script; inline styles carry no script risk here.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging: personal information never reaches a log (privacy.logging filter) ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pi": {"()": "privacy.logging.MaskPersonalInformationFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_pi"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
        # Django's default "django" logger has its own unfiltered console handler under DEBUG ("Not Found:
        # /queue/m/<phone-shaped path>"): route it through the masked handler instead.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Tingwu -----------------------------------------------------------------------------------------
TINGWU_NOTIFY_BACKENDS = {
    "sms": env_str("TINGWU_SMS_BACKEND", "notify.backends.OutboxLogBackend"),
    "wecom": env_str("TINGWU_WECOM_BACKEND", "notify.backends.OutboxLogBackend"),
    "email": env_str("TINGWU_EMAIL_BACKEND", "notify.backends.OutboxLogBackend"),
}
TINGWU_WECOM_WEBHOOK_URL = env_str("TINGWU_WECOM_WEBHOOK_URL")
# Named WeCom group robots "name=url,name=url" (e.g. one per hall); staff SLA notices go to TINGWU_SLA_WECOM_ROBOT.
TINGWU_WECOM_WEBHOOKS = dict(
    item.split("=", 1) for item in env_list("TINGWU_WECOM_WEBHOOKS", []) if "=" in item
)
TINGWU_SLA_WECOM_ROBOT = env_str("TINGWU_SLA_WECOM_ROBOT", "default")
TINGWU_SMS_URL = env_str("TINGWU_SMS_URL", "")
TINGWU_SMS_TOKEN = env_str("TINGWU_SMS_TOKEN", "")
TINGWU_SMS_SIGN = env_str("TINGWU_SMS_SIGN", "【中国移动】")
TINGWU_NOTIFY_MAX_ATTEMPTS = env_int("TINGWU_NOTIFY_MAX_ATTEMPTS", 6)
TINGWU_NOTIFY_TIMEOUT = env_int("TINGWU_NOTIFY_TIMEOUT", 10)
TINGWU_NOTIFY_PROMPT = env_bool("TINGWU_NOTIFY_PROMPT", True)
# Django 6.1 mailers (EMAIL_BACKEND is deprecated): SMTP when EMAIL_HOST is set. E-mail is optional: without a host
# it goes to the console locally, and in production to a mailer that refuses to send (notify/mail.py), so that
# `check --deploy` is clean and nothing claims to have been sent.
_email_host = env_str("EMAIL_HOST")
TINGWU_EMAIL_CONFIGURED = bool(_email_host)  # not EMAIL_HOST: Django 6.1 reads mail settings from MAILERS
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        },
    }
    if _email_host
    else {
        "BACKEND": "notify.mail.DisabledEmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tingwu@localhost")
TINGWU_PUBLIC_BASE_URL = env_str("TINGWU_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
TINGWU_CJK_FONT = env_str("TINGWU_CJK_FONT")  # path to a TTF/TTC with CJK glyphs for PDFs
_ = _  # gettext_lazy kept importable for settings-level labels
