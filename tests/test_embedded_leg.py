"""The SQLite leg of `make test` is really `make run`'s embedded default, and leaves it intact."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from activity.models import Event, OperationType, ResourceType
from activity.services import event_record
from partners.tests.factories import PartnerFactory

REPO = Path(__file__).resolve().parent.parent
SERVERS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/csp_portal",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "CACHE_URL": "redis://127.0.0.1:6379/14",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
}
DESCRIBE = """
import json
from django.conf import settings
from csp_portal.celery import app
database = settings.DATABASES["default"]
print(json.dumps({
    "var_dir": str(settings.VAR_DIR),
    "engine": database["ENGINE"],
    "name": database["NAME"],
    "test_name": database.get("TEST", {}).get("NAME"),
    "broker": app.conf.broker_url,
    "broker_folders": getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None),
    "cache": settings.CACHES["default"],
}))
"""


def _test_settings(leg: str, servers: dict) -> subprocess.CompletedProcess:
    unset = {name: value for name, value in os.environ.items() if name not in SERVERS}
    return subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", DESCRIBE],
        cwd=REPO,
        env={
            **unset,
            **servers,
            "PORTAL_TEST_DB": leg,
            "DJANGO_SETTINGS_MODULE": "csp_portal.settings.test",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_sqlite_leg_ignores_server_urls_and_keeps_all_in_a_temporary_folder():
    result = _test_settings("sqlite", SERVERS)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    var_dir = Path(seen["var_dir"])
    assert var_dir != REPO / "var"
    assert seen["engine"] == "django.db.backends.sqlite3"
    # A file the worker's and the tests' threads can share, never Django's in-memory default.
    assert Path(seen["test_name"]).parent == var_dir
    assert Path(seen["name"]).parent == var_dir
    assert seen["broker"] == "filesystem://"
    for folder in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        assert Path(seen["broker_folders"][folder]).is_relative_to(var_dir)
    assert seen["cache"]["BACKEND"] == "core.cache.LockedFileBasedCache"
    assert Path(seen["cache"]["LOCATION"]).is_relative_to(var_dir)
    assert not var_dir.exists(), "the temporary folder outlives the run"


def test_the_postgresql_leg_uses_the_servers_it_is_given():
    result = _test_settings("postgresql", {"DATABASE_URL": SERVERS["DATABASE_URL"]})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert (seen["engine"], seen["name"]) == ("django.db.backends.postgresql", "csp_portal")
    # Redis database 15 unless REDIS_URL says otherwise, as before the SQLite leg existed.
    assert seen["broker"] == "redis://127.0.0.1:6379/15"
    # Redis's transport options (a task of a dead worker comes back in 20 minutes), no folders.
    assert seen["broker_folders"] == {"visibility_timeout": 1200}
    assert seen["cache"]["LOCATION"] == "redis://127.0.0.1:6379/15"


def test_an_unknown_leg_is_refused():
    result = _test_settings("mysql", SERVERS)
    assert result.returncode != 0
    assert "PORTAL_TEST_DB must be postgresql or sqlite, not 'mysql'" in result.stderr


def _record(partner):
    return event_record(
        partner=partner, actor=None, operation=OperationType.SIGN_IN,
        resource_type=ResourceType.USER,
    )


@pytest.mark.django_db(transaction=True)
def test_the_test_runners_flush_empties_the_log_and_leaves_it_append_only(owner_partner):
    _record(owner_partner)
    call_command("flush", interactive=False, verbosity=0)
    assert not Event.objects.all_partners().exists()
    event = _record(PartnerFactory())
    for statement in ("UPDATE activity_event SET actor_email = 'x'", "DELETE FROM activity_event"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert Event.objects.all_partners().filter(pk=event.pk).exists()
