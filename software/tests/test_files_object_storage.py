"""Software files in an S3-compatible bucket (Moto's server over real HTTP): stored once under
their product's prefix, streamed with Range from the bucket, or handed out as a presigned URL
only after the download was counted (DOWNLOAD_DELIVERY=storage-url)."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from activity.models import Event, OperationType
from catalog.services import software_variant_store
from core.tenancy import partner_scope
from software.tests.conftest import FILE_CONTENT
from software.tests.links import body, issue_link, link_of

pytestmark = pytest.mark.usefixtures("object_storage")
ALLOWANCE = 3


@pytest.fixture(autouse=True)
def _small_allowance(settings):
    settings.DOWNLOAD_LINK_MAX_DOWNLOADS = ALLOWANCE


def test_a_variants_file_goes_to_the_bucket_once_and_a_replacement_removes_the_old_one(
    purchase, variant, object_storage, django_capture_on_commit_callbacks
):
    key = f"software/{purchase.product.product_id}/ws2022-en.iso"
    assert object_storage.object_keys() == {key}
    assert object_storage.read(key) == FILE_CONTENT
    again = software_variant_store(
        product=purchase.product, version="2022", language="en-US", file_type="ISO (x64)",
        filename="ws2022-en.iso", content=FILE_CONTENT,
    )
    assert again.file.name == key and object_storage.object_keys() == {key}
    with django_capture_on_commit_callbacks(execute=True):
        software_variant_store(
            product=purchase.product, version="2022", language="en-US", file_type="ISO (x64)",
            filename="ws2022-en-sp1.iso", content=b"service pack 1" * 100,
        )
    assert object_storage.object_keys() == {
        f"software/{purchase.product.product_id}/ws2022-en-sp1.iso"
    }


def test_streamed_from_the_bucket_whole_and_ranged_downloads_get_the_right_bytes(
    purchase, variant
):
    path = issue_link(purchase, variant)
    part = Client().get(path, HTTP_RANGE="bytes=1000-1999")
    assert part.status_code == 206 and body(part) == FILE_CONTENT[1000:2000]
    whole = Client().get(path)
    assert whole.status_code == 200 and body(whole) == FILE_CONTENT
    assert link_of(purchase).download_count == 2


def test_presigned_delivery_counts_then_redirects_to_a_url_that_lives_a_minute(
    purchase, variant, settings, object_storage
):
    settings.DOWNLOAD_DELIVERY = "storage-url"
    path = issue_link(purchase, variant)
    assert Client().head(path).status_code == 200
    assert link_of(purchase).download_count == 0
    response = Client().get(path)
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    url = response["Location"]
    assert url.startswith(f"{object_storage.server.endpoint_url}/{object_storage.bucket}/software/")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    fetched = requests.get(url, timeout=30)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == variant.sha256
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="ws2022-en.iso"'
    resumed = requests.get(url, headers={"Range": "bytes=1000-"}, timeout=30)
    assert resumed.status_code == 206 and resumed.content == FILE_CONTENT[1000:]
    assert link_of(purchase).download_count == 1
    with partner_scope(purchase.partner):
        (event,) = Event.objects.filter(operation_type=OperationType.SOFTWARE_DOWNLOAD)
    assert event.details["downloadId"]


def test_presigned_delivery_stops_at_the_allowance_with_no_url_for_the_refused(
    purchase, variant, settings
):
    settings.DOWNLOAD_DELIVERY = "storage-url"
    path = issue_link(purchase, variant)
    answers = [Client().get(path, HTTP_RANGE="bytes=5-") for _ in range(ALLOWANCE + 2)]
    assert [a.status_code for a in answers] == [302] * ALLOWANCE + [410, 410]
    assert all("Location" not in a for a in answers[ALLOWANCE:])
    assert link_of(purchase).download_count == ALLOWANCE
