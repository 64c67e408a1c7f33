"""The suite runs on PostgreSQL and Redis, never on the embedded defaults."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/csp_portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: E402, F403
from .base import database_from_env  # noqa: E402

DATABASES = {"default": database_from_env(os.environ["DATABASE_URL"])}
DATABASES["default"]["OPTIONS"]["pool"]["max_size"] = 40
REDIS_URL = os.environ["REDIS_URL"]
CACHES = {
    "default": {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "portal-test",
        "OPTIONS": REDIS_CACHE_OPTIONS,  # noqa: F405
    }
}
CELERY_BROKER_URL = REDIS_URL
SECRET_KEY = "test-only-secret-key-" + "t" * 40
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS = True
PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF = True
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]  # noqa: F405
MIDDLEWARE = [*MIDDLEWARE, "zeal.middleware.zeal_middleware"]  # noqa: F405
ZEAL_RAISE = True
# Tests serve static files straight from the finders; no collectstatic run is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
