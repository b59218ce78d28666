"""Lotse settings: one file, every deployment-specific value read from the environment."""

import datetime as dt
from pathlib import Path

import environ
from django.utils.csp import CSP

from programs.languages import cldr_country_names, cldr_language_names

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off. For development, set DEBUG=1 "
        "(make run does), or put DEBUG=1 in a .env file beside manage.py."
    )

# Older secret keys, still accepted (sessions, signed links) while rotating.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Encryption at rest of participants' aliases and the free text about them (core/encryption.py);
# SECRET_KEY plays no part. Comma-separated for rotation: the first key encrypts, all of them
# decrypt (then `manage.py rotate_encryption_key`). Required in production.
DEV_FIELD_ENCRYPTION_KEY = "dev-only-field-encryption-key-never-use-in-production"
FIELD_ENCRYPTION_KEY = env.list(
    "FIELD_ENCRYPTION_KEY", default=[DEV_FIELD_ENCRYPTION_KEY] if DEBUG else []
)
if not FIELD_ENCRYPTION_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY must be set when DEBUG is off: a long random text that encrypts "
        "participants' aliases and the notes about them. Keep it safe: without it the "
        "encrypted data cannot be read."
    )
# What django-fernet-encrypted-fields, used before, salted SECRET_KEY with: its field classes
# still run in old migrations, and the data migrations read what they stored.
SALT_KEY = FIELD_ENCRYPTION_KEY

# Where Lotse is reached, for links in e-mails sent by background tasks.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.LotseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_countries",
    "config.apps.TasksConfig",
    "config.apps.AxesConfig",
    "config.apps.AuditTrailConfig",
    "django_otp",
    "config.apps.TOTPConfig",
    "programs",
    "volunteers",
    "sessions_log",
    "referrals",
    "reports",
    "transfer",
    "privacy",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "programs.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A signed-in session speaks the language stored on the account (programs/preferences.py).
    "programs.preferences.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "programs.middleware.TwoFactorMiddleware",
    "programs.middleware.NoStoreMiddleware",
    "programs.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "programs.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a connection for a minute instead of opening one per request (opening one costs about
# as much as a simple page); a kept connection is checked before it is reused.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Lotse's working set fits in memory (and on SSDs): random reads cost about as much as
    # sequential ones. With PostgreSQL's default of 4, a program's report scans whole
    # federation-wide many-to-many tables instead of probing their indexes (docs/performance.md).
    # No JIT compilation: Lotse's queries are short aggregations, and compiling the correlated
    # subqueries of a report's qualification figures took several times as long as running
    # them (170 of 250 ms).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        f"-c random_page_cost={env.str('PG_RANDOM_PAGE_COST', default='1.1')} -c jit=off",
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker write at the same time (an import's progress); a
    # transaction that takes the write lock when it starts waits for the other instead of
    # failing with "database is locked" when it upgrades a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses sign-ins of a locked-out user name or account.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend; a request's user comes with whether they have a second factor.
    "programs.two_factor.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Common German, Danish and English passwords, words and names, also with digits around
    # them; patterns; the demo's password; the current password (programs/passwords.py).
    {"NAME": "programs.passwords.CommonPasswordValidator"},
    {"NAME": "programs.passwords.PatternValidator"},
    {"NAME": "programs.passwords.PublishedPasswordValidator"},
    {"NAME": "programs.passwords.NotCurrentPasswordValidator"},
]
LOGIN_URL = "login"
# The page of a refused form submission (an expired or missing CSRF token).
CSRF_FAILURE_VIEW = "programs.views.csrf_failure"

# Two-factor authentication (TOTP, django-otp): required for coordinators, supervisors and
# staff; volunteers may turn it on. On unless DEBUG, so the demo logins of `make run` work.
LOTSE_REQUIRE_2FA = env.bool("LOTSE_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Lotse")
# How long the link of an e-mailed invitation works.
LOTSE_INVITATION_DAYS = env.int("LOTSE_INVITATION_DAYS", default=7)
# How many days security log events and audit trail entries are kept; the daily retention run
# (manage.py apply_retention) deletes older ones.
LOTSE_SECURITY_LOG_DAYS = env.int("LOTSE_SECURITY_LOG_DAYS", default=365)
LOTSE_AUDIT_LOG_DAYS = env.int("LOTSE_AUDIT_LOG_DAYS", default=3 * 365)

# Lockout after failed sign-ins (django-axes, database handler; programs/lockout.py): five
# failures of one user name from one address lock that combination out, ten from any addresses
# lock the account out. A lockout lasts 15 minutes from the failure that caused it: attempts
# while locked out are refused, not counted, and do not extend it.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "programs.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOTSE_ACCOUNT_FAILURE_LIMIT = env.int("LOTSE_ACCOUNT_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "programs.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "programs.security.client_ip"
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation
LANGUAGE_CODE = "en"
# The interface's languages, named by the CLDR in the reader's language. Arabic and Persian are
# written right to left (base.html sets dir="rtl" and loads Bootstrap's RTL stylesheet).
LANGUAGES = cldr_language_names(["de", "en", "da", "ar", "fa", "uk"])
# Lotse's own date formats (config/formats/<language>/formats.py) before Django's: English
# writes every date one way, "6 Dec 2026".
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True
# Country names from the CLDR in the reader's language, like language names (programs/languages.py).
COUNTRIES_OVERRIDE = cldr_country_names()

# Static files: the project's own plus Bootstrap and htmx from node_modules (npm ci).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    # The offline log form: Workbox in the service worker (workbox-sw loads its modules from
    # one folder), idb in the page.
    *(
        ("vendor/workbox", BASE_DIR / "node_modules" / f"workbox-{name}" / "build")
        for name in ("sw", "core", "routing", "strategies", "precaching", "expiration")
    ),
    ("vendor/idb", BASE_DIR / "node_modules" / "idb" / "build"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587. While DEBUG, e-mails are
# printed to the console; otherwise they go to the local mail server unless configured.
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_email_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in _email_options.items() if v not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="lotse@localhost")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Django's cache holds choice lists that are dear to read (the languages of a program's
# sessions) for a few minutes. Per process by default; several app servers should share one,
# e.g. CACHE_URL=dbcache://lotse_cache (after `manage.py createcachetable`) or rediscache://….
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# The coordinator's dashboard keeps its counts this long (it says when it counted them).
LOTSE_DASHBOARD_SECONDS = env.int("LOTSE_DASHBOARD_SECONDS", default=5 * 60)

# Fonts of the PDF reports (Noto Sans, Arabic, Ethiopic), installed from npm with the assets.
LOTSE_FONT_DIR = env.path(
    "LOTSE_FONT_DIR", default=BASE_DIR / "node_modules" / "@expo-google-fonts"
)
# A report still generating after this many seconds is taken as failed (its worker was killed).
LOTSE_REPORT_TIMEOUT = env.int("LOTSE_REPORT_TIMEOUT", default=15 * 60)
# A draft report's preview reuses its computed figures for this many seconds.
LOTSE_REPORT_PREVIEW_SECONDS = env.int("LOTSE_REPORT_PREVIEW_SECONDS", default=5 * 60)

# Largest spreadsheet (or zip of CSV files) a coordinator may import.
LOTSE_IMPORT_MAX_BYTES = env.int("LOTSE_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. Strict CSP: own origin only, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
# The inactivity timeout is renewed at most once a minute (programs.middleware).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
LOTSE_BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if LOTSE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint's font subsetting reports every table it prunes.
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        # Sign-ins, refusals, lockouts, exports (also kept as SecurityEvent rows).
        "lotse.security": {"level": "INFO"},
    },
}
