"""The outbox on a real Celery worker and Redis broker: a completed cancellation e-mails each
recipient once, however often the delivery runs, and after a broker outage the sweep sends what
could not be enqueued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Purchase, PurchaseStatus
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.tests.factories import order_for
from outbox.models import Message
from outbox.tasks import message_send_task, messages_sweep_task
from tests.broker import broker_unreachable
from tests.waiting import wait_for_the_worker_queue, wait_until

pytestmark = pytest.mark.worker


@pytest.fixture
def purchase(owner_partner, role_users, settings):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 0
    customer = CustomerFactory(partner=owner_partner, country="IT", company_name="Smith & Sons")
    with partner_scope(owner_partner):
        return order_for(customer).lines.get()


def _cancel(purchase, actor):
    with partner_scope(purchase.partner):
        purchase_cancel(partner=purchase.partner, actor=actor, purchase_id=purchase.pk,
                        acknowledged=True, at=timezone.now() - timedelta(minutes=1))


def _messages(partner) -> list[Message]:
    with partner_scope(partner):
        return list(Message.objects.order_by("recipient"))


def test_each_recipient_gets_one_e_mail_even_when_the_delivery_runs_again(
    celery_worker, purchase, role_users, mailoutbox
):
    agent, admin = role_users[Role.ADMIN_AGENT], role_users[Role.GLOBAL_ADMIN]
    _cancel(purchase, agent)
    wait_until(lambda: len(mailoutbox) == 2, timeout=30)

    messages = _messages(purchase.partner)
    for message in messages * 2:
        message_send_task.delay(partner_id=purchase.partner_id, message_id=message.pk)
    messages_sweep_task.delay()
    wait_for_the_worker_queue()

    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([agent.email, admin.email])
    assert [m.recipient for m in messages] == sorted([agent.email, admin.email])
    assert all(m.sent_at is not None for m in _messages(purchase.partner))
    mail = mailoutbox[0]
    assert mail.subject.startswith("Cancellation completed: ") and "Smith & Sons" in mail.subject
    assert "for Smith & Sons (order" in mail.body, "plain text, not HTML-escaped"


def test_an_e_mail_queued_while_the_broker_was_down_is_sent_by_the_sweep(
    celery_worker, purchase, role_users, mailoutbox, caplog
):
    agent, admin = role_users[Role.ADMIN_AGENT], role_users[Role.GLOBAL_ADMIN]
    with broker_unreachable():
        _cancel(purchase, agent)
        with partner_scope(purchase.partner):
            assert purchase_cancellation_complete(purchase_id=purchase.pk) is True
    assert Purchase.objects.all_partners().get(pk=purchase.pk).status == PurchaseStatus.CANCELLED
    waiting = _messages(purchase.partner)
    assert [m.recipient for m in waiting] == sorted([agent.email, admin.email])
    assert all(m.sent_at is None for m in waiting)
    assert any("on_commit" in r.getMessage() for r in caplog.records), "the enqueue did fail"
    wait_for_the_worker_queue()
    assert mailoutbox == [], "no task reached the broker"

    messages_sweep_task.delay()
    wait_until(lambda: len(mailoutbox) == 2, timeout=30)
    messages_sweep_task.delay()
    wait_for_the_worker_queue()
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([agent.email, admin.email])
    assert all(m.sent_at is not None for m in _messages(purchase.partner))
