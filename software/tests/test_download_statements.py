"""A counted download of the whole file costs one statement and records all it did."""

import hashlib

import pytest
from django.test import Client

from activity.models import Event, OperationType
from core.tenancy import partner_scope
from software.models import Download, DownloadLink
from software.tests.test_downloads import _body, _issue, _path


@pytest.mark.postgres_only("one statement that updates and inserts is PostgreSQL's")
def test_a_counted_download_runs_one_statement_and_records_everything(
    purchase, variant, statements_sent
):
    path = _path(_issue(purchase, None, variant))
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="curl/8.5")
    with statements_sent() as sent:
        response = client.get(path)
    # The test's own transaction makes the service's transaction a savepoint; served, it is one
    # BEGIN and one COMMIT around the same statement.
    statements = [sql for sql in sent if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 1, statements
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
    assert event.details == {
        "productTitle": purchase.product_title,
        "orderId": str(purchase.order_id),
        "version": variant.version,
        "language": variant.language,
        "fileType": variant.file_type,
        "downloadId": download.pk,
    }
    assert (event.ip_address, event.user_agent, event.object_id) == (
        "203.0.113.9", "curl/8.5", str(link.pk)
    )
    assert (event.actor_id, event.actor_email, event.partner_id) == (None, "", purchase.partner_id)
    assert event.correlation_id and event.request_id



def test_a_signed_in_user_of_another_partner_is_recorded_as_a_link_holder(
    purchase, variant, outsider, client_for
):
    path = _path(_issue(purchase, None, variant))
    assert client_for(outsider).get(path).status_code == 200
    with partner_scope(purchase.partner):
        [event] = Event.objects.filter(operation_type=OperationType.SOFTWARE_DOWNLOAD)
    assert (event.actor_id, event.actor_email) == (None, "")
