"""Download links: 14 days or 50 downloads, exact under concurrency, stored as hashes."""

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from activity.models import Event, OperationType
from core.tenancy import partner_scope
from orders.models import Purchase, PurchaseStatus
from software.models import DownloadLink
from software.services import keys_and_downloads_issue
from software.tests.conftest import FILE_CONTENT
from software.tests.links import get_then_drop, needs_postgresql


def _issue(purchase, actor, variant, at=None):
    with partner_scope(purchase.partner):
        return keys_and_downloads_issue(
            partner=purchase.partner,
            actor=actor,
            purchase_id=purchase.pk,
            version=variant.version,
            language=variant.language,
            file_type=variant.file_type,
            base_url="http://testserver",
            at=at,
        )


def _path(result) -> str:
    return result.download.uri.removeprefix("http://testserver")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_link_downloads_the_variants_file(purchase, variant):
    result = _issue(purchase, None, variant)
    response = Client().get(_path(result))
    assert response.status_code == 200
    body = _body(response)
    assert hashlib.sha256(body).hexdigest() == variant.sha256
    assert response["Content-Disposition"].startswith("attachment")


def test_the_stored_token_is_not_the_token_in_the_url(purchase, variant):
    result = _issue(purchase, None, variant)
    token = result.download.uri.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes: 256 bits
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_digest FROM software_downloadlink")
        [(stored,)] = cursor.fetchall()
    assert token not in stored and stored == hashlib.sha256(token.encode()).hexdigest()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_exactly_50_of_200_concurrent_downloads_succeed(owner_partner):
    from catalog.services import software_variant_store
    from customers.tests.factories import CustomerFactory
    from orders.tests.factories import order_for

    customer = CustomerFactory(partner=owner_partner, country="IT")
    order = order_for(customer, issues_keys=True)
    purchase = order.lines.model.objects.all_partners().get(order=order)
    variant = software_variant_store(
        product=purchase.product,
        version="1",
        language="en-US",
        file_type="ISO",
        filename="f.iso",
        content=FILE_CONTENT,
    )
    path = _path(_issue(purchase, None, variant))

    def download(_):
        try:
            response = Client().get(path)
            if response.status_code == 200:
                _body(response)
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(download, range(200)))
    assert statuses.count(200) == 50
    assert statuses.count(410) == 150
    link = DownloadLink.objects.all_partners().get()
    assert link.download_count == 50
    with partner_scope(owner_partner):
        assert Event.objects.filter(operation_type=OperationType.SOFTWARE_DOWNLOAD).count() == 50


def test_a_link_is_dead_at_14_days_and_one_second(purchase, variant, time_machine):
    start = timezone.now()
    time_machine.move_to(start)
    path = _path(_issue(purchase, None, variant, at=start))
    time_machine.move_to(start + timedelta(days=14) - timedelta(seconds=1))
    assert Client().get(path).status_code == 200
    time_machine.move_to(start + timedelta(days=14, seconds=1))
    response = Client().get(path)
    assert response.status_code == 410
    assert b"It has expired." in response.content


def test_the_51st_download_is_refused_and_says_why(purchase, variant, settings):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = 3
    path = _path(_issue(purchase, None, variant))
    assert [Client().get(path).status_code for _ in range(4)] == [200, 200, 200, 410]
    assert b"used for all the downloads" in Client().get(path).content


def test_getting_keys_again_retires_the_previous_link(purchase, variant, other_variant):
    first = _path(_issue(purchase, None, variant))
    other = _path(_issue(purchase, None, other_variant))
    second = _path(_issue(purchase, None, variant))
    assert Client().get(first).status_code == 410
    assert b"A newer link replaced it." in Client().get(first).content
    assert Client().get(second).status_code == 200
    assert Client().get(other).status_code == 200, "another variant's link lives on"


def test_a_link_of_a_purchase_being_cancelled_answers_410(purchase, variant):
    path = _path(_issue(purchase, None, variant))
    with partner_scope(purchase.partner):
        Purchase.objects.filter(pk=purchase.pk).update(status=PurchaseStatus.PENDING_CANCELLATION)
    response = Client().get(path)
    assert response.status_code == 410
    assert b"purchase was cancelled" in response.content


def test_a_range_with_no_download_to_continue_counts_one(purchase, variant):
    path = _path(_issue(purchase, None, variant))
    ranged = Client().get(path, HTTP_RANGE="bytes=100-")
    assert ranged.status_code == 206
    assert _body(ranged) == FILE_CONTENT[100:]
    assert DownloadLink.objects.all_partners().get().download_count == 1


def test_head_counts_nothing_and_a_resume_continues_the_interrupted_download(purchase, variant):
    path = _path(_issue(purchase, None, variant))
    assert Client().head(path).status_code == 200
    whole, received = get_then_drop(path, chunks=0)
    assert (whole.status_code, received) == (200, b"")
    resumed = Client().get(path, HTTP_RANGE="bytes=0-")
    assert resumed.status_code == 206
    assert _body(resumed) == FILE_CONTENT
    assert resumed["Content-Range"] == f"bytes 0-{len(FILE_CONTENT) - 1}/{len(FILE_CONTENT)}"
    assert DownloadLink.objects.all_partners().get().download_count == 1


def test_a_range_after_a_complete_download_counts_another(purchase, variant):
    path = _path(_issue(purchase, None, variant))
    assert _body(Client().get(path)) == FILE_CONTENT
    again = Client().get(path, HTTP_RANGE="bytes=5000-")
    assert _body(again) == FILE_CONTENT[5000:]
    assert DownloadLink.objects.all_partners().get().download_count == 2


def test_unsatisfiable_range_is_416(purchase, variant):
    path = _path(_issue(purchase, None, variant))
    _body(Client().get(path))
    response = Client().get(path, HTTP_RANGE=f"bytes={len(FILE_CONTENT) + 10}-")
    assert response.status_code == 416


@pytest.mark.parametrize("token", ["short", "a" * 43 + "!", "../../etc/passwd"])
def test_malformed_tokens_are_404(db, token):
    assert Client().get(f"/downloads/{token}").status_code == 404


def test_unknown_tokens_are_410_and_guessing_is_rate_limited(db, settings):
    settings.BAD_DOWNLOAD_TOKEN_RATE = "3/m"
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [client.get("/downloads/" + "x" * 43).status_code for _ in range(5)]
    assert statuses[:3] == [410, 410, 410]
    assert statuses[-1] == 429
    limited = client.get("/downloads/" + "x" * 43)
    assert int(limited["Retry-After"]) > 0


def test_live_links_are_not_rate_limited(purchase, variant, settings):
    settings.BAD_DOWNLOAD_TOKEN_RATE = "2/m"
    path = _path(_issue(purchase, None, variant))
    assert {Client().get(path).status_code for _ in range(6)} == {200}


def test_each_download_is_recorded_with_ip_agent_and_link_holder(purchase, variant, customer):
    path = _path(_issue(purchase, None, variant))
    Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="curl/8").get(path)
    with partner_scope(purchase.partner):
        [event] = Event.objects.filter(operation_type=OperationType.SOFTWARE_DOWNLOAD)
    assert (event.ip_address, event.user_agent, event.actor, event.actor_email) == (
        "203.0.113.5",
        "curl/8",
        None,
        "",
    )
    assert event.customer == customer
    assert event.details["productTitle"] == "Windows Server 2022 Standard"
    assert re.fullmatch(r"\d+", event.object_id)
