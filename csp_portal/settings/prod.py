"""Production: secrets and URLs come from the environment; nothing insecure by default."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_int

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = env_bool("DEBUG", False)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS = env_bool("PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS", True)
PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF = env_bool("PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF", True)
SILENCED_SYSTEM_CHECKS: list[str] = []
# Production logs are read by machines: one JSON object per line unless LOG_FORMAT=plain.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT == "plain"
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
