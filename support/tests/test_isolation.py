"""Another partner never reads a request or its files: pages, API, the file URL itself."""

from __future__ import annotations

import pytest

from core.roles import Role
from core.tenancy import partner_scope
from support.models import Attachment

from .factories import PDF_BYTES, file_request, refund_draft, upload


@pytest.fixture
def filed(agent, customer, order):
    service_request = file_request(
        agent, refund_draft(customer, order), [upload("invoice.pdf", PDF_BYTES)]
    )
    with partner_scope(agent.partner):
        return service_request, Attachment.objects.get()


def test_another_partner_cannot_read_a_request_or_its_files(
    filed, outsider, client_for, api_client_for
):
    service_request, attachment = filed
    pk, file_pk = service_request.pk, attachment.pk
    web, api = client_for(outsider), api_client_for(outsider)

    for path in [
        f"/support/requests/{pk}/",
        f"/support/requests/{pk}/files/{file_pk}/",
        f"/support/queue/{pk}/",
        f"/support/queue/{pk}/files/{file_pk}/",
    ]:
        assert web.get(path).status_code == 404, path
    assert web.post(f"/support/requests/{pk}/notes/", {"text": "hi"}).status_code == 404
    assert service_request.number not in web.get("/support/").content.decode()

    for path in [f"/v1/servicerequests/{pk}", f"/v1/servicerequests/{pk}/files/{file_pk}"]:
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    patched = api.patch(f"/v1/servicerequests/{pk}", {"newNote": {"text": "hi"}}, format="json")
    assert patched.status_code == 404
    assert api.get("/v1/servicerequests").json()["items"] == []


def test_roles_that_follow_no_requests_see_none(filed, role_users, client_for, api_client_for):
    service_request, attachment = filed
    referral_admin = role_users[Role.REFERRAL_ADMIN]
    assert client_for(referral_admin).get("/support/").status_code == 403
    api = api_client_for(referral_admin)
    listing = api.get("/v1/servicerequests")
    assert listing.status_code == 403
    assert listing.json()["code"] == "role_required"
    # One id is not theirs to know of: the same answer as for a missing one.
    assert api.get(f"/v1/servicerequests/{service_request.pk}").status_code == 404
    assert api.get(
        f"/v1/servicerequests/{service_request.pk}/files/{attachment.pk}"
    ).status_code == 404


def test_the_partners_colleagues_and_support_staff_read_the_files(
    filed, role_users, support_user, api_client_for
):
    service_request, attachment = filed
    path = f"/v1/servicerequests/{service_request.pk}/files/{attachment.pk}"
    for user in (role_users[Role.BILLING_ADMIN], support_user):
        response = api_client_for(user).get(path)
        assert response.status_code == 200, user
        assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
        assert b"".join(response.streaming_content) == PDF_BYTES
