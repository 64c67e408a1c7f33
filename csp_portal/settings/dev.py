"""The embedded default for `make run`: SQLite and a file-system broker unless URLs say so."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret-" + "x" * 40
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The demo may sign Admin agents and operator staff in without TOTP; a banner on every page
# says so.
PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS = env_bool("PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS", False)
PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF = env_bool("PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF", False)
ALLOWED_HOSTS = ["*"]
# The demo shows a cancellation completing within a minute rather than fifteen.
CANCELLATION_PROPAGATION_DELAY_SECONDS = int(
    os.environ.get("CANCELLATION_PROPAGATION_DELAY_SECONDS", "30")
)
