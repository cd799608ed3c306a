"""Settings for cdauth, read from the environment.

With nothing set, the dashboard runs on embedded defaults (SQLite, a broker
kept on the filesystem, keys generated into ``.local/``). With
``DJANGO_DEBUG`` off, secrets and hosts must come from the environment.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cdauth import local_state

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

LOCAL_DIR = Path(env.str("CDAUTH_LOCAL_DIR", default=str(BASE_DIR / ".local")))

DEBUG = env.bool("DJANGO_DEBUG", default=True)


def _required_in_production(name: str, embedded_default):
    """Read ``name``, required off debug; in debug fall back to a default."""
    value = env.str(name, default="").strip()
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_DEBUG is off (see README, Settings)."
        )
    return embedded_default()


SECRET_KEY = _required_in_production(
    "DJANGO_SECRET_KEY",
    lambda: local_state.read_or_create_secret(
        LOCAL_DIR / "secret_key", local_state.make_django_secret_key
    ),
)

FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in _required_in_production(
        "FIELD_ENCRYPTION_KEYS",
        lambda: local_state.read_or_create_secret(
            LOCAL_DIR / "encryption_key", local_state.make_fernet_key
        ),
    ).split(",")
    if key.strip()
]

ALLOWED_HOSTS = [
    host.strip()
    for host in _required_in_production(
        "DJANGO_ALLOWED_HOSTS", lambda: "localhost,127.0.0.1,[::1],testserver"
    ).split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "stores",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cdauth.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "stores.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cdauth.urls"
WSGI_APPLICATION = "cdauth.wsgi.application"
ASGI_APPLICATION = "cdauth.asgi.application"

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
                "stores.context_processors.stores_needing_attention",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{LOCAL_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    local_state.ensure_local_dir(LOCAL_DIR)
    # WAL, a busy timeout and IMMEDIATE transactions let the web process and
    # a worker share the file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Each web or worker process keeps a small pool that its threads share
    # (psycopg_pool, through Django). Renewals hand their connection back
    # while they wait on Cdiscount, so a worker running a hundred renewals at
    # once needs a few connections, not a hundred.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DJANGO_DB_POOL_SIZE", default=10),
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The rate limits count in this cache, so every web process must share it,
# and count atomically: Redis in production. The embedded default runs one
# web process, whose memory is shared by its threads and counts under a lock
# (the file cache would let simultaneous requests through).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://cdauth")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "stores:list"
LOGOUT_REDIRECT_URL = "login"

# Failed logins (dashboard and admin) are throttled by django-axes: after
# AXES_FAILURE_LIMIT failures for one username from one address, that pair is
# locked out for the cool-off, which each further failure starts again. The
# pair, not the address alone, so that colleagues behind one office NAT do not
# lock each other out. Its backend must come first to refuse before checking.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("CDAUTH_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(
    minutes=env.int("CDAUTH_LOGIN_COOLOFF_MINUTES", default=15)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cdauth.login_throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cdauth.login_throttling.client_ip"
# How many proxies we run in front of the app (the TLS proxy: 1). Each appends
# the address it saw to X-Forwarded-For; entries further left are the
# client's own claims and cannot be trusted.
CDAUTH_TRUSTED_PROXY_COUNT = env.int("CDAUTH_TRUSTED_PROXY_COUNT", default=0)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("fr", _("French")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
if DEBUG:
    # WhiteNoise serves from the finders in debug but still expects the root.
    STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
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

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="cdauth@localhost")
# Links in e-mails point here.
CDAUTH_SITE_URL = env.str("CDAUTH_SITE_URL", default="http://127.0.0.1:8000").rstrip(
    "/"
)

# Production hardening; `check --deploy` reads these.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Pages and admin load scripts and styles from our own static files only, so
# a script slipped into a page (say, through a store name) does not run. The
# templates hold no inline <script> or style= (a test keeps it so); the admin
# of Django 5.2 needs none either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
# Who receives the report of a server error (500), by e-mail. The report
# leaves out the fields marked sensitive: passwords, tokens, secrets.
ADMINS = [(address, address) for address in env.list("DJANGO_ADMINS", default=[])]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------

BROKER_DIR = LOCAL_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in ("queue", "processed", "control"):
        local_state.ensure_local_dir(BROKER_DIR / folder)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Exchange tables; kombu would otherwise write them to the working
        # directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Longer than any countdown the renewal code uses, so Redis never hands
    # a delayed task to a second worker while the first still holds it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BEAT_SCHEDULE_FILENAME = str(LOCAL_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A renewal is safe to run twice, so a task is acknowledged only once it has
# finished and goes back to the queue when its worker process dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A renewal task waits seconds on Cdiscount: a worker reserves only what it
# can start now, so that the others are not left idle while it queues more.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int(
    "CELERY_WORKER_PREFETCH_MULTIPLIER", default=1
)
# Renewal results are written to the database; nothing is kept in a backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_TIME_LIMIT = 120

# --- Cdiscount --------------------------------------------------------------

CDISCOUNT_SIMULATOR_URL = env.str("CDISCOUNT_SIMULATOR_URL", default="").rstrip("/")
CDISCOUNT_CONNECT_TIMEOUT = env.float("CDISCOUNT_CONNECT_TIMEOUT", default=5.0)
CDISCOUNT_READ_TIMEOUT = env.float("CDISCOUNT_READ_TIMEOUT", default=20.0)
CDISCOUNT_TOKEN_LIFETIME = timedelta(hours=48)
# cdauth's own Octopia client, which sellers link to their account for
# delegated access. Unset, the delegated kind is not offered.
OCTOPIA_CLIENT_ID = env.str("OCTOPIA_CLIENT_ID", default="").strip()
OCTOPIA_CLIENT_SECRET = env.str("OCTOPIA_CLIENT_SECRET", default="")

TOKEN_RENEWAL_MARGIN = timedelta(
    minutes=env.int("CDAUTH_RENEWAL_MARGIN_MINUTES", default=120)
)
TOKEN_SWEEP_INTERVAL = timedelta(
    seconds=env.int("CDAUTH_SWEEP_INTERVAL_SECONDS", default=600)
)
TOKEN_SWEEP_BATCH_SIZE = env.int("CDAUTH_SWEEP_BATCH_SIZE", default=500)
# Due stores are sent to workers in groups of this many per task.
TOKEN_RENEWAL_GROUP_SIZE = env.int("CDAUTH_RENEWAL_GROUP_SIZE", default=10)
# A renewal claim outlives the slowest Cdiscount call (connect + read, twice
# for a token renewal followed by the SOAP check) with room to spare.
TOKEN_RENEWAL_LEASE = timedelta(
    seconds=env.int("CDAUTH_RENEWAL_LEASE_SECONDS", default=120)
)
TOKEN_RETRY_BASE_DELAY = timedelta(
    seconds=env.int("CDAUTH_RETRY_BASE_DELAY_SECONDS", default=60)
)
TOKEN_RETRY_MAX_DELAY = timedelta(
    seconds=env.int("CDAUTH_RETRY_MAX_DELAY_SECONDS", default=1800)
)
# Requests that send a store's credentials to Cdiscount (authorize,
# re-authorize, test connection), per person and per team, so that the
# dashboard cannot be used to guess Cdiscount passwords. "10/10m" is ten per
# ten minutes; see stores/throttling.py.
CDAUTH_ACTION_RATE_USER = env.str("CDAUTH_ACTION_RATE_USER", default="10/10m")
CDAUTH_ACTION_RATE_TEAM = env.str("CDAUTH_ACTION_RATE_TEAM", default="30/10m")

CELERY_BEAT_SCHEDULE = {
    "sweep-due-store-tokens": {
        "task": "stores.tasks.sweep_due_stores",
        "schedule": TOKEN_SWEEP_INTERVAL.total_seconds(),
    },
}

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("CDAUTH_LOG_LEVEL", "INFO")},
    "loggers": {
        # zeep logs whole envelopes at debug level, tokens included.
        "zeep": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        # Both log token request bodies (client secrets) and tokens at debug.
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
    },
}
