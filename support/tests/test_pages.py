"""The pages: partners' list, conversation and customer tab; support staff's queue and triage."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Credit
from support import services
from support.choices import Impact, Status, SupportTopic
from support.models import Attachment, ServiceRequest

from .factories import (
    PDF_BYTES,
    AttachmentFactory,
    ServiceRequestFactory,
    as_support,
    file_request,
    refund_draft,
    upload,
)


def test_the_partner_reads_the_conversation_without_internal_notes(
    client_for, agent, support_user, refund_request
):
    as_support(
        support_user, refund_request, services.service_request_note_add,
        text="INTERNAL: this partner asks a lot.", is_internal=True,
    )
    as_support(
        support_user, refund_request, services.service_request_note_add,
        text="We are checking the order.",
    )
    page = client_for(agent).get(f"/support/requests/{refund_request.pk}/").content.decode()
    assert "We are checking the order." in page
    assert "INTERNAL" not in page
    assert support_user.email not in page

    staff_page = client_for(support_user).get(f"/support/queue/{refund_request.pk}/")
    assert "INTERNAL: this partner asks a lot." in staff_page.content.decode()


def test_the_customer_tab_lists_that_customers_requests(
    client_for, agent, customer, refund_request, owner_partner
):
    other = CustomerFactory(partner=owner_partner)
    ServiceRequestFactory(partner=owner_partner, customer=other, title="Other customer's")
    response = client_for(agent).get(f"/customers/{customer.entra_tenant_id}/service-requests/")
    page = response.content.decode()
    assert response.status_code == 200
    assert refund_request.number in page
    assert "Other customer's" not in html.unescape(page)
    assert f"/support/new/?customer={customer.entra_tenant_id}" in page


def test_lists_issue_the_same_queries_for_1_and_30_requests(
    client_for, agent, support_user, owner_partner, outsider_partner
):
    def queries(path, user):
        client = client_for(user)
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    customer = CustomerFactory(partner=owner_partner)
    ServiceRequestFactory(partner=owner_partner, customer=customer)
    few = [queries(p, u) for p, u in [("/support/", agent), ("/support/queue/", support_user)]]
    for n in range(29):
        ServiceRequestFactory(
            partner=owner_partner if n % 2 else outsider_partner,
            customer=customer if n % 2 else None,
        )
    many = [queries(p, u) for p, u in [("/support/", agent), ("/support/queue/", support_user)]]
    assert few == many


def test_the_conversation_page_issues_the_same_queries_for_1_and_10_notes(
    client_for, agent, support_user, refund_request
):
    def queries(path, user):
        with CaptureQueriesContext(connection) as captured:
            assert client_for(user).get(path).status_code == 200
        return len(captured)

    def add_note():
        with partner_scope(agent.partner):
            services.service_request_note_add(
                partner=agent.partner, actor=agent, request_id=refund_request.pk, text="Note",
                files=[upload("r.pdf", PDF_BYTES)],
            )

    add_note()
    paths = [(f"/support/requests/{refund_request.pk}/", agent),
             (f"/support/queue/{refund_request.pk}/", support_user)]
    few = [queries(p, u) for p, u in paths]
    for _ in range(9):
        add_note()
    assert [queries(p, u) for p, u in paths] == few


def test_the_queue_puts_the_most_severe_first_and_the_oldest_first_within(
    client_for, support_user, owner_partner, outsider_partner
):
    now = timezone.now()
    made = {}
    for name, impact, hours_ago, partner in [
        ("low-old", Impact.LOW, 50, owner_partner),
        ("critical-new", Impact.CRITICAL, 1, outsider_partner),
        ("high-new", Impact.HIGH, 2, owner_partner),
        ("critical-old", Impact.CRITICAL, 30, owner_partner),
        ("high-old", Impact.HIGH, 40, outsider_partner),
    ]:
        made[name] = ServiceRequestFactory(
            partner=partner, impact=impact, title=name, created_at=now - timedelta(hours=hours_ago)
        )
    ServiceRequestFactory(partner=owner_partner, impact=Impact.CRITICAL, status=Status.CLOSED)

    response = client_for(support_user).get("/support/queue/")
    titles = [r.title for r in response.context["page"]]
    assert titles == ["critical-old", "critical-new", "high-old", "high-new", "low-old"]

    filtered = client_for(support_user).get(
        "/support/queue/", {"impact": "high", "partner": outsider_partner.pk}
    )
    assert [r.title for r in filtered.context["page"]] == ["high-old"]
    closed = client_for(support_user).get("/support/queue/", {"status": "closed"})
    assert len(closed.context["page"]) == 1
    by_number = client_for(support_user).get("/support/queue/", {"q": made["high-new"].number})
    assert [r.title for r in by_number.context["page"]] == ["high-new"]
    arabic_digits = str(made["high-new"].pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    by_other_digits = client_for(support_user).get("/support/queue/", {"q": arabic_digits})
    assert list(by_other_digits.context["page"]) == [], "a number is ASCII digits only"


def test_the_queue_filters_by_type_of_problem(client_for, support_user, refund_request):
    ServiceRequestFactory(partner=refund_request.partner, topic=SupportTopic.BILLING_QUESTION)
    response = client_for(support_user).get(
        "/support/queue/", {"topic": "csp_purchase_refund", "status": "all"}
    )
    assert [r.pk for r in response.context["page"]] == [refund_request.pk]


def test_support_staff_triage_and_decide_through_the_pages(
    client_for, support_user, agent, refund_request
):
    staff = client_for(support_user)
    base = f"/support/queue/{refund_request.pk}"
    assert staff.post(f"{base}/assign/").status_code == 302
    staff.post(f"{base}/notes/", {"text": "Checked the invoice.", "is_internal": "on"})
    staff.post(f"{base}/status/", {"status": "waiting_on_partner", "note": "Send the e-mail."})
    staff.post(f"{base}/status/", {"status": "in_progress"})
    response = staff.post(
        f"{base}/decision/",
        {"decision": "approve", "approved_amount": "130.00", "resolution": "too much"},
        follow=True,
    )
    assert "At most the amount requested, €122.00, can be approved." in response.content.decode()
    response = staff.post(
        f"{base}/decision/",
        {"decision": "approve", "approved_amount": "100.00", "resolution": "Refunded in part."},
        follow=True,
    )
    assert "Refund approved" in response.content.decode()

    with partner_scope(agent.partner):
        service_request = ServiceRequest.objects.get()
        assert Credit.objects.get().total == Decimal("100.00")
    assert service_request.status == Status.APPROVED
    assert service_request.assigned_to == support_user

    partner_page = client_for(agent).get(f"/support/requests/{refund_request.pk}/")
    text = partner_page.content.decode()
    assert "Approved" in text and "€100.00" in text and "Refunded in part." in text
    assert "Checked the invoice." not in text


def test_a_triage_post_with_nothing_in_it_gets_a_message_not_an_error(
    client_for, support_user, refund_request
):
    staff = client_for(support_user)
    for action in ("status", "decision", "notes"):
        response = staff.post(f"/support/queue/{refund_request.pk}/{action}/", follow=True)
        assert response.status_code == 200
        assert response.context["messages"]


def test_partner_users_get_404_for_foreign_ids_and_403_for_their_own_on_staff_pages(
    client_for, role_users, outsider, refund_request
):
    assert client_for(outsider).get(f"/support/queue/{refund_request.pk}/").status_code == 404
    assert client_for(outsider).get("/support/queue/999999/").status_code == 404
    own = client_for(role_users[Role.GLOBAL_ADMIN])
    assert own.get(f"/support/queue/{refund_request.pk}/").status_code == 403
    assert own.get("/support/queue/").status_code == 403


def test_support_staff_download_any_partners_file(client_for, support_user, agent, customer, order):
    service_request = file_request(
        agent, refund_draft(customer, order), [upload("invoice.pdf", PDF_BYTES)]
    )
    with partner_scope(agent.partner):
        attachment = Attachment.objects.get()
    response = client_for(support_user).get(
        f"/support/queue/{service_request.pk}/files/{attachment.pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_file_record_of_another_request_is_not_served_under_this_one(
    client_for, agent, refund_request, owner_partner
):
    other_file = AttachmentFactory(service_request=ServiceRequestFactory(partner=owner_partner))
    response = client_for(agent).get(
        f"/support/requests/{refund_request.pk}/files/{other_file.pk}/"
    )
    assert response.status_code == 404
