"""Attachments in an S3-compatible bucket (Moto's server over real HTTP): stored under random
names, read back streamed or through a presigned URL, only by the request's partner and support
staff; a refused submission leaves nothing in the bucket."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from core.tenancy import partner_scope
from support.intake import ServiceRequestInvalid
from support.models import Attachment

from .factories import EXE_BYTES, PDF_BYTES, PNG_BYTES, file_request, refund_draft, upload

pytestmark = pytest.mark.usefixtures("object_storage")


@pytest.fixture
def filed(agent, customer, order):
    service_request = file_request(
        agent,
        refund_draft(customer, order),
        [upload("invoice.pdf", PDF_BYTES), upload("screen.png", PNG_BYTES)],
    )
    with partner_scope(agent.partner):
        attachments = list(Attachment.objects.filter(service_request=service_request))
    return service_request, {a.name: a for a in attachments}


def _page(service_request, attachment) -> str:
    return f"/support/requests/{service_request.pk}/files/{attachment.pk}/"


def test_files_go_to_the_bucket_under_the_partners_prefix_and_random_names(
    filed, object_storage, agent
):
    _request, attachments = filed
    keys = object_storage.object_keys()
    assert keys == {f"support-attachments/{a.stored_name}" for a in attachments.values()}
    for key in keys:
        assert key.startswith(f"support-attachments/{agent.partner_id}/")
        assert "invoice" not in key and "screen" not in key
    assert object_storage.read(f"support-attachments/{attachments['invoice.pdf'].stored_name}") == (
        PDF_BYTES
    )


def test_a_refused_file_leaves_nothing_in_the_bucket(agent, customer, order, object_storage):
    with pytest.raises(ServiceRequestInvalid):
        file_request(
            agent,
            refund_draft(customer, order),
            [upload("invoice.pdf", PDF_BYTES), upload("setup.pdf", EXE_BYTES)],
        )
    assert object_storage.object_keys() == set()


def test_the_partner_downloads_an_attachment_streamed_from_the_bucket(filed, agent, client_for):
    service_request, attachments = filed
    response = client_for(agent).get(_page(service_request, attachments["invoice.pdf"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_with_storage_url_delivery_staff_and_partner_get_a_presigned_url_of_the_checked_type(
    filed, agent, support_user, client_for, settings, object_storage
):
    settings.DOWNLOAD_DELIVERY = "storage-url"
    service_request, attachments = filed
    screen = attachments["screen.png"]
    for client, path in (
        (client_for(agent), _page(service_request, screen)),
        (client_for(support_user), f"/support/queue/{service_request.pk}/files/{screen.pk}/"),
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Cache-Control"] == "private, no-store"
        url = response["Location"]
        assert url.startswith(f"{object_storage.server.endpoint_url}/{object_storage.bucket}/")
        assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["60"]
        fetched = requests.get(url, timeout=30)
        assert fetched.status_code == 200 and fetched.content == PNG_BYTES
        assert fetched.headers["Content-Type"] == "image/png"
        assert fetched.headers["Content-Disposition"] == 'attachment; filename="screen.png"'


def test_another_partner_gets_no_url_for_an_attachment(
    filed, outsider, client_for, api_client_for, settings
):
    settings.DOWNLOAD_DELIVERY = "storage-url"
    service_request, attachments = filed
    attachment = attachments["invoice.pdf"]
    page = client_for(outsider).get(_page(service_request, attachment))
    assert page.status_code == 404 and "Location" not in page
    api = api_client_for(outsider).get(
        f"/v1/servicerequests/{service_request.pk}/files/{attachment.pk}"
    )
    assert api.status_code == 404 and "Location" not in api


def test_an_attachment_gone_from_the_bucket_is_a_404_page_not_a_dead_url(
    filed, agent, client_for, settings, object_storage
):
    settings.DOWNLOAD_DELIVERY = "storage-url"
    service_request, attachments = filed
    attachment = attachments["invoice.pdf"]
    object_storage.server.client().delete_object(
        Bucket=object_storage.bucket, Key=f"support-attachments/{attachment.stored_name}"
    )
    response = client_for(agent).get(_page(service_request, attachment))
    assert response.status_code == 404 and "Location" not in response
