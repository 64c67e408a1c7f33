"""Every status change e-mails the partner's contact through the outbox: queued with the change,
sent after commit by the worker, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.tenancy import partner_scope
from outbox.models import Message
from outbox.tasks import message_send_task
from support import services
from tests.waiting import wait_until

from .factories import as_support, file_request, refund_draft


def _messages(partner) -> list[Message]:
    with partner_scope(partner):
        return list(Message.objects.all())


def _send_all(partner) -> None:
    for message in _messages(partner):
        message_send_task.apply(kwargs={"partner_id": partner.pk, "message_id": message.pk}).get()


def test_a_status_change_queues_its_e_mail_with_the_change_and_sends_it_after_commit(
    support_user, refund_request, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks() as callbacks:
        as_support(support_user, refund_request, services.service_request_assign)
    [message] = _messages(refund_request.partner)
    assert message.recipient == "maria.rossi@northwind.example" and message.sent_at is None
    assert len(callbacks) == 1 and mailoutbox == []

    with django_capture_on_commit_callbacks() as callbacks:
        as_support(
            support_user, refund_request, services.service_request_note_add,
            text="Internal remark", is_internal=True,
        )
    assert callbacks == [], "a note without a status change sends nothing"
    assert len(_messages(refund_request.partner)) == 1


def test_the_e_mail_is_sent_once_even_when_the_task_runs_twice(
    support_user, refund_request, mailoutbox
):
    as_support(support_user, refund_request, services.service_request_assign)
    _send_all(refund_request.partner)
    _send_all(refund_request.partner)
    [mail] = mailoutbox
    assert mail.to == ["maria.rossi@northwind.example"]
    assert mail.subject == f"[{refund_request.number}] In progress: {refund_request.title}"


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
    wait_until(lambda: all(m.sent_at for m in _messages(agent.partner)))


def test_a_title_with_line_breaks_still_makes_a_valid_subject(
    support_user, agent, customer, order, mailoutbox
):
    service_request = file_request(
        agent, refund_draft(customer, order, title="Refund\r\nBcc: victim@example.com")
    )
    assert service_request.title == "Refund Bcc: victim@example.com"
    as_support(support_user, service_request, services.service_request_assign)
    _send_all(agent.partner)
    [mail] = mailoutbox
    assert mail.to == ["maria.rossi@northwind.example"] and not mail.bcc
