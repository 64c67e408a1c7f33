"""Three standing partners' worth of users: the owner partner with one user per role, a
colleague, an outsider partner with its own users, and operator support staff."""

from __future__ import annotations

import importlib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from core.roles import Role
from core.tenancy import partner_scope
from partners.services import api_token_issue
from partners.tests.factories import PartnerFactory, SupportStaffFactory, UserFactory, totp_enrol
from tests.faults.servers import private_s3


@pytest.fixture(autouse=True, scope="session")
def _jinja2_context_in_responses():
    """Give Jinja2 pages response.context in tests, as Django's engine has under the runner."""
    from django.template import Context
    from django.template.backends import jinja2
    from django.test.signals import template_rendered

    render = jinja2.Template.render

    def instrumented(self, context=None, request=None):
        html = render(self, context, request)
        template_rendered.send(sender=self, template=self, context=Context(context or {}))
        return html

    jinja2.Template.render = instrumented
    yield
    jinja2.Template.render = render


def pytest_report_header(config) -> str:
    if connection.vendor == "sqlite":
        return (
            "embedded default: SQLite in a temporary file, Kombu's file-system broker, file cache "
            f"(under {settings.VAR_DIR}); tests marked postgres_only are skipped"
        )
    database = settings.DATABASES["default"]
    return (
        f"PostgreSQL test_{database['NAME']} on {database['HOST']}; "
        f"Redis broker and cache {settings.REDIS_URL}"
    )


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("postgres_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "needs PostgreSQL"
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))


@pytest.fixture(autouse=True, scope="session")
def _sqlite_flush_past_the_append_only_triggers():
    """Let the test runner's flush empty the activity log on SQLite, as TRUNCATE does on PostgreSQL.

    SQLite empties tables with DELETE, which the append-only triggers refuse; the flush drops
    them and puts them back, from the migration's own statements, in the same transaction.
    """
    if connection.vendor != "sqlite":
        yield
        return
    from django.db.backends.sqlite3.operations import DatabaseOperations as SqliteOperations

    triggers = importlib.import_module("activity.migrations.0003_append_only_trigger")
    flush = SqliteOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = flush(self, style, tables, **kwargs)
        if "activity_event" not in tables:
            return statements
        return [*triggers.SQLITE_DROP, *statements, *triggers.SQLITE_CREATE]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SqliteOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    # A request activates its user's language for the thread and nothing resets it, so a test
    # that follows one in Italian would read Italian messages from the services it calls.
    yield
    translation.deactivate()


@pytest.fixture
def statements_sent():
    """A context manager yielding the list of SQL statements sent inside it, counted at the
    cursor: CaptureQueriesContext misses some around a test client's request, whose start empties
    Django's query log."""

    @contextmanager
    def capture():
        sent: list[str] = []

        def record(execute, sql, params, many, context):
            sent.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            yield sent

    return capture


@pytest.fixture
def owner_partner(db):
    return PartnerFactory(name="Northwind Test", home_country="IT", billing_currency="EUR")


@pytest.fixture
def outsider_partner(db):
    return PartnerFactory(name="Outsider Test", home_country="AU", billing_currency="AUD")


@pytest.fixture
def role_users(owner_partner) -> dict[Role, object]:
    """One user of the owner partner per role; the Admin agent has enrolled TOTP."""
    users = {
        role: UserFactory(
            partner=owner_partner, roles=[role.value], email=f"{role.value}@owner.example"
        )
        for role in Role
    }
    totp_enrol(users[Role.ADMIN_AGENT])
    return users


@pytest.fixture
def global_admin(role_users):
    return role_users[Role.GLOBAL_ADMIN]


@pytest.fixture
def outsider(outsider_partner):
    user = UserFactory(
        partner=outsider_partner, roles=[role.value for role in Role], email="all@outsider.example"
    )
    totp_enrol(user)
    return user


@pytest.fixture
def support_user(db):
    """Operator support staff, with the TOTP that production requires of them."""
    user = SupportStaffFactory(email="staff@portal.example")
    totp_enrol(user)
    return user


@pytest.fixture
def api_client_for():
    """An API client authenticated with a fresh personal token of the given user."""

    def make(user) -> APIClient:
        with partner_scope(user.partner):
            _token, clear = api_token_issue(actor=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {clear}")
        return client

    return make


@pytest.fixture
def client_for():
    """A browser-like test client signed in as the given user (a new client each call)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker on the configured broker, in a thread of this process (not eager)."""
    from celery.contrib.testing.worker import start_worker

    from csp_portal.celery import app

    app.control.purge()
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=10,
    ) as worker:
        yield worker


@pytest.fixture(scope="session")
def s3_server():
    """Moto's S3-compatible server on a free loopback port, started on first use."""
    with private_s3() as server:
        yield server


@dataclass(frozen=True)
class ObjectStore:
    server: object
    bucket: str

    def object_keys(self) -> set[str]:
        listing = self.server.client().list_objects_v2(Bucket=self.bucket)
        return {entry["Key"] for entry in listing.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()


@pytest.fixture
def object_storage(s3_server, settings) -> ObjectStore:
    """Software files, attachments and invoice PDFs in a new private bucket of the S3 server."""
    bucket = s3_server.bucket_create(f"portal-{uuid.uuid4().hex[:16]}")
    s3_server.settings_apply(settings, bucket)
    return ObjectStore(server=s3_server, bucket=bucket)
