"""Settings shared by every environment; the environment modules override what differs."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.storage import object_storage_config, object_storage_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
# How many proxies of ours stand in front of the portal, each appending to X-Forwarded-For: the
# client is the entry this many places from the right (core.client_ip); 0 believes only
# REMOTE_ADDR. The activity log and every rate limit (ours, allauth's, DRF's) read it.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
if PORTAL_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("PORTAL_TRUSTED_PROXY_COUNT must be 0 or more.")
if env_bool("PORTAL_TRUST_X_FORWARDED_FOR", False):
    # Ignoring it would count every client as the load balancer: one lockout for all.
    raise ImproperlyConfigured(
        "PORTAL_TRUST_X_FORWARDED_FOR is replaced by PORTAL_TRUSTED_PROXY_COUNT, the number of "
        "proxies in front of the portal (1 behind one load balancer)."
    )
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "core",
    "partners",
    "outbox",
    "webhooks",
    "activity",
    "customers",
    "catalog",
    "orders",
    "software",
    "support",
    "invoices",
    "activity_log",
    # Reads orders, software, support and invoices for the home page; none of them reads it.
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    # Outermost: a request's whole time and every query it makes (core.metrics).
    "core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that can answer early (WhiteNoise's static files, a bad Host's 400),
    # so that every answer carries the CSP and X-Frame-Options.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.csp.CachedPolicyCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NulCharacterMiddleware",
    "core.middleware.CorrelationIdMiddleware",
    "core.api.partner_center.PartnerCenterRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionLifetimeMiddleware",
    "core.middleware.UserPreferencesMiddleware",
    "core.tenancy.PartnerScopeMiddleware",
    "core.mfa.MfaEnrolmentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so it sees a view's domain error first and answers its error page.
    "core.error_responses.ErrorPageMiddleware",
]

ROOT_URLCONF = "csp_portal.urls"
WSGI_APPLICATION = "csp_portal.wsgi.application"

# The portal's own pages are Jinja2 (<app>/jinja2/, csp_portal/jinja2/): it renders them in less
# than half the CPU. Django's engine stays for what third parties render: allauth's pages, the
# admin, the form widgets, the e-mails and the API reference page (templates/).
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "csp_portal" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "csp_portal.templating.environment",
            "context_processors": [
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
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
                "core.context_processors.portal",
            ],
        },
    },
]


def database_from_env(default_url: str) -> dict:
    """Build the default database from DATABASE_URL, tuned per engine."""
    url = os.environ.get("DATABASE_URL", default_url)
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The web process, the worker and beat share one file: WAL lets readers run beside the
        # writer, IMMEDIATE takes the write lock up front instead of failing mid-transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["ENGINE"] = "django.db.backends.postgresql"
        config["CONN_MAX_AGE"] = 0
        # The pool then checks a connection before lending it, so the broken ones a database
        # restart leaves behind are replaced instead of failing the next requests.
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = {
            "pool": {
                "min_size": env_int("DATABASE_POOL_MIN", 1),
                "max_size": env_int("DATABASE_POOL_MAX", 10),
                "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
            },
        }
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}


def replica_database(url: str) -> dict:
    """A streaming replica of the default PostgreSQL database, for heavy reads (core.replica)."""
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name a PostgreSQL replica.")
    config["CONN_MAX_AGE"] = 0
    config["CONN_HEALTH_CHECKS"] = True
    # Tests read the replica through the primary's test database.
    config["TEST"] = {"MIRROR": "default"}
    return config


# The activity log's list, chart and CSV export read from this replica while it answers and is
# no more than DATABASE_REPLICA_MAX_LAG_SECONDS behind; everything else reads the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA_MAX_LAG_SECONDS = env_int("DATABASE_REPLICA_MAX_LAG_SECONDS", 10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_database(DATABASE_REPLICA_URL)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partners.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
# A Redis that hangs rather than refuses would otherwise hold every request that touches a rate
# limit; after these seconds it counts as unreachable and the cache fails open.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
if REDIS_URL:
    CACHES = {
        "default": {
            # With Redis down it reads as empty instead of failing the request (core/cache.py).
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": os.environ.get("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "portal",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    # Throttling counters must be shared by every process, so not the per-process LocMem cache.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.LockedFileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Django's and allauth's backends, reading the signed-in user from the cache (invalidated by every
# save of the user or its partner: partners/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "partners.auth_backends.CachedModelBackend",
    "partners.auth_backends.CachedAllauthBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Kosovo has only the user-assigned code XK; django-countries lists it only when told to, and the
# source's table of markets without Azure reservations names it.
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italiano"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# Sessions are read from the cache (Redis, or the file cache of `make run`), a copy at most a
# minute old, and written through to the database, which keeps them (core/sessions.py).
SESSION_ENGINE = "core.sessions"
# Sessions end after 30 minutes idle and 12 hours in all (OWASP ASVS 3.3.2, level 2).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-allauth: e-mail sign-in, invitations only, verified e-mail addresses, throttled failures.
ACCOUNT_ADAPTER = "partners.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "3/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP secrets and recovery-code seeds are encrypted at rest with the activation-key keys.
MFA_ADAPTER = "partners.mfa_adapter.PortalMfaAdapter"
MFA_TOTP_ISSUER = "CSP Partner Portal"
# Admin agents see activation keys; with this on they must enrol TOTP before they reach them.
PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS = env_bool("PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS", True)
# Operator staff (support staff, admin site users) see every partner's requests and approve
# refunds; with this on they must enrol TOTP before they reach anything.
PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF = env_bool("PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF", True)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
# Seconds per SMTP step: a mail server that hangs must not hold a worker (or an outbox claim).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# The file-based backend's directory: whole messages, invitation and reset links included.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "CSP Partner Portal <no-reply@portal.example>"
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsPortalUser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.partner_center.PartnerCenterJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.ContinuationPagination",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.problem_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.PortalContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["core.ratelimits.PortalUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_RATE_LIMIT", "600/min")},
    "PAGE_SIZE": 25,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CSP Partner Portal API",
    "DESCRIPTION": "Shaped after the Partner Center REST API. Authenticate with a personal token: "
    "`Authorization: Bearer <token>`. Errors are RFC 9457 problem+json with a stable `code`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Redoc from the portal's own static files: the CSP allows no other origin, and nothing
    # may be fetched from the internet at run time.
    "REDOC_DIST": "SIDECAR",
    # Numeric ids in paths use the <id:> converter (core/converters.py): 64-bit integers.
    # Partner Center's billing cycle of an order and billing provider of an invoice detail.
    "ENUM_NAME_OVERRIDES": {"OneTimeEnum": ["one_time"]},
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999},
        "culture": {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"},
    },
}
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
# An API cart (Partner Center's) can be changed and checked out for this long after its last
# change: long enough to get a customer's go-ahead, short enough that prices have not moved.
CART_EXPIRY_HOURS = env_int("CART_EXPIRY_HOURS", 24)
# A download link dies after this many days or downloads, whichever comes first (the source's rule).
DOWNLOAD_LINK_TTL_DAYS = env_int("DOWNLOAD_LINK_TTL_DAYS", 14)
DOWNLOAD_LINK_MAX_DOWNLOADS = env_int("DOWNLOAD_LINK_MAX_DOWNLOADS", 50)
# How files reach the downloader: "django" streams them; "x-accel" hands the path to nginx
# (X-Accel-Redirect under DOWNLOAD_X_ACCEL_PREFIX); "storage-url" redirects to the storage's
# own short-lived URL (S3 presigned, AWS_QUERYSTRING_EXPIRE seconds), for attachments and
# invoice PDFs too, so no web node streams the bytes.
DOWNLOAD_DELIVERY = os.environ.get("DOWNLOAD_DELIVERY", "django")
DOWNLOAD_X_ACCEL_PREFIX = os.environ.get("DOWNLOAD_X_ACCEL_PREFIX", "/protected-media/")
# Key reveals per user, and unknown or malformed download tokens per IP address.
KEY_REVEAL_RATE = os.environ.get("KEY_REVEAL_RATE", "30/h")
BAD_DOWNLOAD_TOKEN_RATE = os.environ.get("BAD_DOWNLOAD_TOKEN_RATE", "20/m")
# A cancellation shows as cancelled only after this delay, as Partner Center's "up to 15 minutes".
CANCELLATION_PROPAGATION_DELAY_SECONDS = env_int("CANCELLATION_PROPAGATION_DELAY_SECONDS", 900)
# Azure reservation refunds per customer over a rolling 12 months; above it, a support request.
RESERVATION_REFUND_CAP_USD = Decimal(os.environ.get("RESERVATION_REFUND_CAP_USD", "50000"))
# USD per unit of each currency, for the cap only (operators update them; unknown currencies
# cannot be converted, so their reservations always go to support).
USD_PER_CURRENCY_UNIT = {
    "USD": Decimal("1"), "EUR": Decimal("1.08"), "GBP": Decimal("1.27"),
    "AUD": Decimal("0.66"), "BRL": Decimal("0.20"), "CAD": Decimal("0.73"),
    "JPY": Decimal("0.0067"), "DKK": Decimal("0.145"), "CHF": Decimal("1.13"),
}
# Fernet keys for activation keys at rest, newest first; empty: derived from SECRET_KEY.
ACTIVATION_KEY_ENCRYPTION_KEYS = [
    k for k in os.environ.get("ACTIVATION_KEY_ENCRYPTION_KEYS", "").split(",") if k
]

# Support requests: attachments are checked by content and kept outside the web root, under
# random names, readable only through the support views (in the bucket below when one is set).
SUPPORT_ATTACHMENT_MAX_FILES = 5
SUPPORT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# The whole multipart body: every file at its limit plus room for the form's own fields. A larger
# upload is cut off while it streams in and answered with a message, never buffered whole.
SUPPORT_UPLOAD_MAX_REQUEST_BYTES = (
    SUPPORT_ATTACHMENT_MAX_FILES * SUPPORT_ATTACHMENT_MAX_BYTES + 1024 * 1024
)
SUPPORT_ATTACHMENT_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": os.environ.get(
            "SUPPORT_ATTACHMENT_ROOT", str(VAR_DIR / "private" / "support-attachments")
        ),
    },
}

# Invoices: each month is invoiced on the 1st (UTC) by the beat, payable this many days after
# issue. PDFs are rendered once by the worker into a private storage and served only through the
# portal's invoice views (in the bucket below when one is set).
INVOICE_PAYMENT_TERMS_DAYS = env_int("INVOICE_PAYMENT_TERMS_DAYS", 30)
# An invoice still without its PDF this long after issue lost its render task: re-queue it.
INVOICE_PDF_RENDER_GRACE_SECONDS = env_int("INVOICE_PDF_RENDER_GRACE_SECONDS", 600)
INVOICE_PDF_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": os.environ.get("INVOICE_PDF_ROOT", str(VAR_DIR / "private" / "invoices")),
    },
}

# With AWS_STORAGE_BUCKET_NAME set (and AWS_S3_ENDPOINT_URL for an S3-compatible server), the
# software files, attachments and invoice PDFs live in that private bucket under their own
# prefixes, so that any web or worker node reads what another wrote (core/storage.py).
OBJECT_STORAGE = object_storage_options(os.environ)
if OBJECT_STORAGE is not None:
    STORAGES["default"] = object_storage_config(OBJECT_STORAGE, location="")
    SUPPORT_ATTACHMENT_STORAGE = object_storage_config(
        OBJECT_STORAGE, location="support-attachments"
    )
    INVOICE_PDF_STORAGE = object_storage_config(OBJECT_STORAGE, location="invoices")
elif DOWNLOAD_DELIVERY == "storage-url":
    raise ImproperlyConfigured(
        "DOWNLOAD_DELIVERY=storage-url needs an object store: set AWS_STORAGE_BUCKET_NAME."
    )

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
    # Anything may enqueue before the worker starts (seed_demo does): the folders must exist.
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "broker" / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis hands the message of a task whose worker died (acknowledged late) to another worker
    # after this many seconds: the Redis default is an hour. It must exceed the longest countdown
    # (the cancellation's propagation delay), or a worker holding a countdown task would see it
    # redelivered to another while it waits.
    CELERY_BROKER_VISIBILITY_TIMEOUT_SECONDS = env_int(
        "CELERY_BROKER_VISIBILITY_TIMEOUT_SECONDS", 1200
    )
    if CELERY_BROKER_VISIBILITY_TIMEOUT_SECONDS <= CANCELLATION_PROPAGATION_DELAY_SECONDS:
        raise ImproperlyConfigured(
            "CELERY_BROKER_VISIBILITY_TIMEOUT_SECONDS must exceed "
            "CANCELLATION_PROPAGATION_DELAY_SECONDS."
        )
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT_SECONDS
    }
    # A beat may run beside every worker: RedBeat keeps the schedule and its last runs in Redis
    # and a lock lets one beat send at a time. The one holding it renews it every loop (at most
    # CELERY_BEAT_MAX_LOOP_INTERVAL seconds); a standby takes over within the lock's timeout of
    # the holder's death, and reads when each task last ran, so none runs twice in a period.
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = os.environ.get("CELERY_REDBEAT_REDIS_URL", CELERY_BROKER_URL)
    CELERY_REDBEAT_KEY_PREFIX = "portal:redbeat:"
    CELERY_BEAT_MAX_LOOP_INTERVAL = 5
    CELERY_REDBEAT_LOCK_TIMEOUT = env_int("BEAT_LOCK_TIMEOUT_SECONDS", 30)
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.heartbeat_record", "schedule": 30.0},
    "download-links-expire": {"task": "software.download_links_expire", "schedule": 900.0},
    "cancellations-reconcile": {"task": "orders.cancellations_reconcile", "schedule": 60.0},
    # Reminders 7 days and 1 day before a cancellation window closes; hourly is close enough.
    "cancellation-reminders": {"task": "orders.cancellation_reminders_queue", "schedule": 3600.0},
    # Delivers notifications queued while the broker was down, and retries failed ones.
    "outbox-sweep": {"task": "outbox.messages_sweep", "schedule": 60.0},
    # Webhooks queued while the broker was down, retries now due, senders that died.
    "webhooks-sweep": {"task": "webhooks.deliveries_sweep", "schedule": 60.0},
    # Half an hour after midnight UTC, so last month's final orders have committed.
    "invoices-month-close": {
        "task": "invoices.month_close",
        "schedule": crontab(minute=30, hour=0, day_of_month=1),
    },
    "invoice-pdfs-reconcile": {"task": "invoices.invoice_pdfs_reconcile", "schedule": 900.0},
}
# GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Webhooks (webhooks/): the receiver's address must be public and https unless these allow
# otherwise (the tests' receiver on loopback); a rotated secret keeps signing for the overlap;
# an endpoint failing without a success for this many days is disabled; a sender holds a
# delivery for the claim's seconds, far longer than one request may take (10 s).
PORTAL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("PORTAL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False)
PORTAL_WEBHOOKS_ALLOW_HTTP = env_bool("PORTAL_WEBHOOKS_ALLOW_HTTP", False)
PORTAL_WEBHOOKS_SECRET_OVERLAP_HOURS = env_int("PORTAL_WEBHOOKS_SECRET_OVERLAP_HOURS", 24)
PORTAL_WEBHOOKS_DISABLE_AFTER_DAYS = env_int("PORTAL_WEBHOOKS_DISABLE_AFTER_DAYS", 5)
PORTAL_WEBHOOKS_CLAIM_SECONDS = env_int("PORTAL_WEBHOOKS_CLAIM_SECONDS", 60)
# /healthz calls the worker dead when its last heartbeat is older than this.
WORKER_HEARTBEAT_MAX_AGE = timedelta(seconds=env_int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 120))

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
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# "plain" lines for a terminal, or "json": one object per line with the correlation id, which
# travels from a request into the tasks it caused (core.logging, core.task_context).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
# With JSON lines the worker keeps the handler below instead of installing Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT == "plain"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    # Download links, invitation and API tokens, product keys: never in a log (core.logging).
    "filters": {
        "redact_secrets": {"()": "core.logging.SecretRedactingFilter"},
        "correlation": {"()": "core.logging.CorrelationFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact_secrets", "correlation"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # These log request paths; with DEBUG on, Django's own console handler prints them too.
        "django.request": {"filters": ["redact_secrets"]},
        "django.security.csrf": {"filters": ["redact_secrets"]},
        "django.db.backends": {"level": "INFO"},
        # At DEBUG it prints each page's context on a missing variable, secrets shown included
        # (the TOTP secret while enrolling): never, whatever level "django" is raised to.
        "django.template": {"level": "INFO"},
        # WeasyPrint narrates every rendering step at INFO; its warnings (bad CSS) still show.
        "weasyprint": {"level": "WARNING"},
    },
}
