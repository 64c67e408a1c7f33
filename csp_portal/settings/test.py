"""The suite's settings: PostgreSQL and Redis, or with PORTAL_TEST_DB=sqlite the embedded default.

The SQLite leg is `make run`'s own configuration from base.py (SQLite, the file-system broker,
the file cache) with its var/ in a temporary folder, so the test database is a file that the
tests' threads and the worker thread share.
"""

import atexit
import os
import shutil
import tempfile

TEST_DB = os.environ.get("PORTAL_TEST_DB", "postgresql")
if TEST_DB == "sqlite":
    _var_dir = tempfile.mkdtemp(prefix="csp-portal-sqlite-")
    atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)
    os.environ["PORTAL_VAR_DIR"] = _var_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{_var_dir}/portal.sqlite3"
    # Left set, any of these would take the leg off the embedded default.
    for _name in ("REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"):
        os.environ.pop(_name, None)
elif TEST_DB == "postgresql":
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/csp_portal")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
else:
    raise ValueError(f"PORTAL_TEST_DB must be postgresql or sqlite, not {TEST_DB!r}")

from .base import *  # noqa: E402, F403
from .base import VAR_DIR, database_from_env  # noqa: E402

DATABASES = {
    "default": database_from_env(os.environ["DATABASE_URL"]),
    **({"replica": DATABASES["replica"]} if "replica" in DATABASES else {}),  # noqa: F405
}
if TEST_DB == "sqlite":
    # Django would otherwise test SQLite in memory, which another connection cannot see.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_portal.sqlite3")}
else:
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
    # The bucket when the environment names one (the multi-node tests' processes), else files.
    "default": STORAGES["default"]  # noqa: F405
    if OBJECT_STORAGE  # noqa: F405
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
