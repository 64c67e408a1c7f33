"""A counted download of the whole file costs two statements and records all it did."""

import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from activity.models import Event, OperationType
from core.tenancy import partner_scope
from software.models import Download, DownloadLink
from software.tests.test_downloads import _body, _issue, _path


@pytest.mark.postgres_only("one statement that updates and inserts is PostgreSQL's")
def test_a_counted_download_runs_two_statements_and_records_everything(purchase, variant):
    path = _path(_issue(purchase, None, variant))
    client = Client(REMOTE_ADDR="203.0.113.9")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    # The test's own transaction makes the service's transaction a savepoint; served, it is one
    # BEGIN and one COMMIT around the same two statements.
    statements = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 2, statements
    assert hashlib.sha256(_body(response)).hexdigest() == variant.sha256
    with partner_scope(purchase.partner):
        link = DownloadLink.objects.get()
        [download] = Download.objects.all()
        [event] = Event.objects.filter(operation_type=OperationType.SOFTWARE_DOWNLOAD)
    assert (link.download_count, link.bytes_reserved) == (1, variant.size_bytes)
    assert download.byte_budget == variant.size_bytes + variant.size_bytes // 8
    assert download.ip_address == "203.0.113.9"
    assert event.customer_id == purchase.customer_id
    assert event.details["downloadId"] == download.pk
    assert event.details["orderId"] == str(purchase.order_id)
    assert event.details["productTitle"] == purchase.product_title

