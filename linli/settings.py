"""The one settings module. Everything that varies between deployments comes from LINLI_* variables."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from linli.core.env import env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("LINLI_VAR_DIR", str(BASE_DIR.parent / "var"))).resolve()

DEBUG = env_bool("LINLI_DEBUG", default=False)
SECRET_KEY = secret_key(var_dir=VAR_DIR, debug=DEBUG)
ALLOWED_HOSTS = env_list("LINLI_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("LINLI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "linli.core",
    "linli.audit",
    "linli.accounts",
    "linli.org",
    "linli.registry",
    "linli.care",
    "linli.notify",
    "linli.safety",
    "linli.needs",
    "linli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "linli.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Input with a NUL character is refused before it reaches PostgreSQL (linli.core.nul_guard).
    "linli.core.nul_guard.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Session limits, two-factor login and forced password changes: nothing else until they are met.
    "linli.accounts.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "linli.core.middleware.RequestContextMiddleware",
    # Last, so that it sees authentication failures from every view (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

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
                "linli.accounts.context_processors.linli",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env_str("LINLI_DATABASE_URL", f"sqlite:///{VAR_DIR / 'linli.sqlite3'}")
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ImproperlyConfigured(f"LINLI_DATABASE_URL is not a database URL: {exc}") from None
    engine = config["ENGINE"]
    # Seconds a worker thread keeps its database connection between requests (0: one per request).
    config["CONN_MAX_AGE"] = env_int(
        "LINLI_DB_CONN_MAX_AGE", 0 if engine == "django.db.backends.sqlite3" else 60, minimum=0, maximum=86400
    )
    if engine == "django.db.backends.sqlite3":
        name = str(config["NAME"])
        if name not in ("", ":memory:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # Writers take the lock at BEGIN and wait for each other (busy timeout) instead of
            # failing half-way with "database is locked" when a read transaction upgrades.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                " PRAGMA cache_size=-65536;"
            ),
        }
    elif engine == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = True
        # JIT compiling pays off for hour-long analytics, not for linli's queries: a district's on-time
        # table spent 60 of its 850 ms compiling. Sorts of a few tens of thousands of groups stay in
        # memory with 16 MB. Both only for linli's own sessions; URL options may add more.
        existing = config.get("OPTIONS")
        options: dict[str, object] = dict(existing) if isinstance(existing, dict) else {}
        options["options"] = " ".join(
            filter(None, [str(options.get("options", "")), "-c jit=off -c work_mem=16MB"])
        )
        config["OPTIONS"] = options
    else:
        raise ImproperlyConfigured("LINLI_DATABASE_URL must point at SQLite or PostgreSQL")
    config["TEST"] = {"NAME": env_str("LINLI_TEST_DATABASE_NAME") or None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "linli.accounts.validators.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "linli.accounts.validators.MixedCharactersValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout (linli.accounts.services.lockout): failures are counted per username and address pair, per username
# across addresses and per address across usernames; each count has its own limit.
AXES_FAILURE_LIMIT = env_int("LINLI_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LINLI_LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LINLI_LOGIN_ACCOUNT_FAILURE_LIMIT", 10, minimum=1)
LINLI_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LINLI_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LINLI_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_HANDLER = "linli.accounts.services.lockout.LinliAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "linli.accounts.views.lockout.lockout_response"
AXES_VERBOSE = False
# The client address: REMOTE_ADDR, or behind the proxies listed in LINLI_TRUSTED_PROXIES the address
# they put in X-Forwarded-For (docs/security.md, "Client address").
LINLI_TRUSTED_PROXIES = env_list("LINLI_TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "linli.core.client.client_address"
# Two-factor login (TOTP and recovery codes): on unless LINLI_DEBUG is set; grid workers by choice.
LINLI_2FA_REQUIRED = env_bool("LINLI_2FA_REQUIRED", default=not DEBUG)
LINLI_2FA_GRID_WORKERS = env_bool("LINLI_2FA_GRID_WORKERS", default=False)
OTP_TOTP_ISSUER = "邻里"
# Sessions end after this long without a request, and this long after sign-in in any case.
LINLI_SESSION_IDLE_MINUTES = env_int("LINLI_SESSION_IDLE_MINUTES", 30, minimum=1)
LINLI_SESSION_MAX_HOURS = env_int("LINLI_SESSION_MAX_HOURS", 12, minimum=1)

SESSION_COOKIE_AGE = 60 * 60 * LINLI_SESSION_MAX_HOURS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Security headers (docs/security.md, "Headers, deployment and public pages").
# LINLI_HTTPS: the site is reached over TLS only (directly or through a proxy that terminates it).
LINLI_HTTPS = env_bool("LINLI_HTTPS", default=False)
# LINLI_TRUST_PROXY: the reverse proxy sets X-Forwarded-Proto itself and drops any a client sent.
LINLI_TRUST_PROXY = env_bool("LINLI_TRUST_PROXY", default=False)
SESSION_COOKIE_SECURE = env_bool("LINLI_SECURE_COOKIES", default=LINLI_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = LINLI_HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if LINLI_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = LINLI_HTTPS
SECURE_HSTS_PRELOAD = env_bool("LINLI_HSTS_PRELOAD", default=False)
if LINLI_TRUST_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script or style anywhere: every page's script and stylesheet are files under /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
# Browser features no page uses are switched off (linli.core.headers); none is needed today.
LINLI_PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "midi": [],
    "magnetometer": [],
    "gyroscope": [],
    "accelerometer": [],
    "display-capture": [],
    "fullscreen": ["self"],
}
# HSTS preload needs the host on the browsers' public list: intranet hosts never are (LINLI_HSTS_PRELOAD).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or not LINLI_HTTPS else ["security.W021"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served by the app itself (an intranet box may have no separate web server).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The level labels a new district gets when none are given (the Fengxian police shape).
LINLI_DEFAULT_LEVEL_LABELS = env_list("LINLI_LEVEL_LABELS", ["区", "派出所", "居村委", "网格"])
LINLI_DEMO_PASSWORD = env_str("LINLI_DEMO_PASSWORD", "linli-demo-2026")
LINLI_API_TOKEN_DAYS = env_int("LINLI_API_TOKEN_DAYS", 7, minimum=1, maximum=90)
# Where notifications go: console and database in development; webhook (a group robot) and sms in a
# deployment, each configured by URL on the intranet.
LINLI_NOTIFY_CHANNELS = env_list("LINLI_NOTIFY_CHANNELS", ["database", "console"])
LINLI_WEBHOOK_URL = env_str("LINLI_WEBHOOK_URL", "")
LINLI_SMS_URL = env_str("LINLI_SMS_URL", "")
LINLI_IMPORT_MAX_ROWS = env_int("LINLI_IMPORT_MAX_ROWS", 2_000_000, minimum=1)
# Rows validated (and then written) at a time: large enough that per-statement costs vanish, small enough
# that a chunk is a few megabytes.
LINLI_IMPORT_CHUNK_ROWS = env_int("LINLI_IMPORT_CHUNK_ROWS", 20_000, minimum=100, maximum=200_000)
# An upload is parsed by a child process with these limits (docs/security.md, "Hostile files").
LINLI_IMPORT_MAX_COLUMNS = env_int("LINLI_IMPORT_MAX_COLUMNS", 100, minimum=1)
LINLI_IMPORT_MAX_CELL_CHARS = env_int("LINLI_IMPORT_MAX_CELL_CHARS", 5000, minimum=100)
LINLI_IMPORT_MEMORY_MB = env_int("LINLI_IMPORT_MEMORY_MB", 1024, minimum=128)
LINLI_IMPORT_SECONDS = env_int("LINLI_IMPORT_SECONDS", 600, minimum=5)
# An import job still uploaded/validating/writing after this long is failed by `linli tick`.
LINLI_IMPORT_STUCK_MINUTES = env_int("LINLI_IMPORT_STUCK_MINUTES", 60, minimum=5)
# The address a love card's QR code points at: where a finder's phone can reach the /c/ pages.
# One cache for every server process: files under the var directory, so that no cache server is needed
# on an intranet machine. Limits that must hold under concurrency are database rows (needs.intake_guard).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

# Uploaded attachments (photos on a request's timeline), served only through views that check scope.
MEDIA_ROOT = VAR_DIR / "media"
LINLI_ATTACHMENT_MAX_BYTES = env_int("LINLI_ATTACHMENT_MAX_MB", 10, minimum=1, maximum=100) * 1024 * 1024
LINLI_PUBLIC_BASE_URL = env_str("LINLI_PUBLIC_BASE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LINLI_LOG_LEVEL", "INFO")},
    # Request lines can carry query strings; personal data never goes in a URL, but stay quiet anyway.
    "loggers": {"django.request": {"level": "ERROR"}, "axes": {"level": "WARNING"}},
}
