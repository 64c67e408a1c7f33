"""Every status change e-mails the partner's contact, after commit, once, through Celery."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csp_portal.tenancy import partner_scope
from support import services
from support.choices import Status
from support.models import ServiceRequestNote
from support.notifications import status_change_notify
from support.tasks import status_change_notify_task
from tests.waiting import wait_until

from .factories import as_support, file_request, refund_draft


def test_a_status_change_enqueues_its_e_mail_only_after_commit(
    support_user, refund_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        as_support(support_user, refund_request, services.service_request_assign)
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks() as callbacks:
        as_support(
            support_user, refund_request, services.service_request_note_add,
            text="Internal remark", is_internal=True,
        )
    assert callbacks == [], "a note without a status change sends nothing"


def test_the_e_mail_is_sent_once_even_when_the_task_runs_twice(
    support_user, refund_request, mailoutbox
):
    as_support(support_user, refund_request, services.service_request_assign)
    with partner_scope(refund_request.partner):
        note = ServiceRequestNote.objects.get(status_to=Status.IN_PROGRESS)
        status_change_notify(note_id=note.pk)
        status_change_notify(note_id=note.pk)
    [mail] = mailoutbox
    assert mail.to == ["maria.rossi@northwind.example"]
    assert mail.subject == f"[{refund_request.number}] In progress: {refund_request.title}"


def test_the_task_runs_in_the_partners_scope(support_user, refund_request, mailoutbox):
    as_support(support_user, refund_request, services.service_request_assign)
    with partner_scope(refund_request.partner):
        note = ServiceRequestNote.objects.get()
    status_change_notify_task.apply(
        kwargs={"partner_id": refund_request.partner_id, "note_id": note.pk}
    ).get()
    assert len(mailoutbox) == 1
    assert status_change_notify_task.name == "support.status_change_notify"
    assert status_change_notify_task.acks_late


@pytest.mark.worker
def test_a_real_worker_e_mails_the_contact_on_every_status_change(
    celery_worker, support_user, agent, customer, order, mailoutbox
):
    service_request = file_request(agent, refund_draft(customer, order))
    as_support(support_user, service_request, services.service_request_assign)
    wait_until(lambda: len(mailoutbox) == 1)
    as_support(
        support_user, service_request, services.refund_request_decide, approve=True,
        approved_amount=Decimal("100.00"), resolution="We refund €100 of it.",
    )
    wait_until(lambda: len(mailoutbox) == 2)

    started, approved = mailoutbox
    assert started.to == approved.to == ["maria.rossi@northwind.example"]
    assert "In progress" in started.subject
    assert approved.subject == f"[{service_request.number}] Approved: {service_request.title}"
    assert "Approved refund: €100.00" in approved.body
    assert "We refund €100 of it." in approved.body
    with partner_scope(agent.partner):
        assert not ServiceRequestNote.objects.filter(
            notified_at__isnull=True, status_to__gt=""
        ).exists()


def test_a_title_with_line_breaks_still_makes_a_valid_subject(
    support_user, agent, customer, order, mailoutbox
):
    service_request = file_request(
        agent, refund_draft(customer, order, title="Refund\r\nBcc: victim@example.com")
    )
    assert service_request.title == "Refund Bcc: victim@example.com"
    as_support(support_user, service_request, services.service_request_assign)
    with partner_scope(agent.partner):
        status_change_notify(note_id=ServiceRequestNote.objects.get().pk)
    [mail] = mailoutbox
    assert mail.to == ["maria.rossi@northwind.example"] and not mail.bcc

