"""Invoice PDFs in an S3-compatible bucket (Moto's server over real HTTP): printed by the worker
into the bucket, served from it streamed or through a presigned URL, only to the partner's
invoice readers."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from core.roles import Role
from invoices.models import Invoice
from invoices.tasks import invoices_close_task
from tests.waiting import wait_until


@pytest.fixture
def printed(object_storage, story, celery_worker, time_machine):
    """October closed by the real worker, both PDFs printed into the bucket."""
    time_machine.move_to(datetime(2026, 11, 1, 0, 30, tzinfo=UTC), tick=True)
    invoices_close_task.delay()

    def euro_printed():
        invoice = Invoice.objects.all_partners().filter(currency_code="EUR").last()
        return invoice if invoice is not None and invoice.has_pdf else None

    return wait_until(euro_printed, timeout=60)


def test_the_worker_prints_the_pdf_into_the_bucket_under_the_invoice_prefix(
    printed, object_storage
):
    key = f"invoices/{printed.pdf_name}"
    assert key in object_storage.object_keys()
    assert object_storage.read(key).startswith(b"%PDF-")


def test_the_pdf_is_streamed_from_the_bucket_byte_for_byte(
    printed, object_storage, role_users, client_for
):
    response = client_for(role_users[Role.BILLING_ADMIN]).get(f"/invoices/{printed.number}/pdf/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == object_storage.read(f"invoices/{printed.pdf_name}")
    assert response["ETag"] == f'"{printed.pdf_sha256}"'


def test_with_storage_url_delivery_the_pdf_leaves_through_a_short_lived_presigned_url(
    printed, object_storage, role_users, client_for, settings
):
    settings.DOWNLOAD_DELIVERY = "storage-url"
    response = client_for(role_users[Role.BILLING_ADMIN]).get(f"/invoices/{printed.number}/pdf/")
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    assert url.startswith(f"{object_storage.server.endpoint_url}/{object_storage.bucket}/invoices/")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"] and "X-Amz-Signature" in query
    fetched = requests.get(url, timeout=30)
    assert fetched.status_code == 200
    assert fetched.content == object_storage.read(f"invoices/{printed.pdf_name}")
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Content-Disposition"] == f'attachment; filename="{printed.number}.pdf"'


def test_the_api_statement_is_presigned_too_and_another_partner_gets_404(
    printed, role_users, outsider, api_client_for, client_for, settings
):
    settings.DOWNLOAD_DELIVERY = "storage-url"
    path = f"/v1/invoices/{printed.number}/documents/statement"
    assert api_client_for(role_users[Role.GLOBAL_ADMIN]).get(path).status_code == 302
    foreign = api_client_for(outsider).get(path)
    assert foreign.status_code == 404 and "Location" not in foreign
    page = client_for(outsider).get(f"/invoices/{printed.number}/pdf/")
    assert page.status_code == 404 and "Location" not in page
    sales = client_for(role_users[Role.SALES_AGENT]).get(f"/invoices/{printed.number}/pdf/")
    assert sales.status_code == 403 and "Location" not in sales


def test_a_pdf_gone_from_the_bucket_is_a_404_that_says_so_not_the_stores_error(
    printed, object_storage, role_users, api_client_for, client_for, settings
):
    settings.DOWNLOAD_DELIVERY = "storage-url"
    object_storage.server.client().delete_object(
        Bucket=object_storage.bucket, Key=f"invoices/{printed.pdf_name}"
    )
    api = api_client_for(role_users[Role.GLOBAL_ADMIN])
    problem = api.get(f"/v1/invoices/{printed.number}/documents/statement")
    assert problem.status_code == 404
    assert problem.json()["detail"] == "The PDF of this invoice is missing; contact support."
    settings.DOWNLOAD_DELIVERY = "django"
    page = client_for(role_users[Role.BILLING_ADMIN]).get(f"/invoices/{printed.number}/pdf/")
    assert page.status_code == 404


def test_the_pdf_object_grants_no_one_but_its_owner(printed, object_storage):
    acl = object_storage.server.client().get_object_acl(
        Bucket=object_storage.bucket, Key=f"invoices/{printed.pdf_name}"
    )
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]
    assert acl["Grants"][0]["Grantee"]["Type"] == "CanonicalUser"
