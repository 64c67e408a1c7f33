"""Cancellation completion on a real Celery worker and Redis broker (not eager)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.tenancy import partner_scope
from csp_portal.celery import app
from customers.tests.factories import CustomerFactory
from orders.models import Credit, Purchase, PurchaseStatus
from orders.services.cancellation import purchase_cancel
from orders.tasks import cancellations_reconcile_task, purchase_cancellation_complete_task
from orders.tests.factories import order_for
from tests.waiting import wait_until

pytestmark = pytest.mark.worker


@pytest.fixture
def pending(owner_partner, global_admin, settings):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 1
    customer = CustomerFactory(partner=owner_partner, country="IT")
    purchase = (
        order_for(customer, actor=global_admin)
        .lines.model.objects.all_partners()
        .get(customer=customer)
    )
    return purchase


def _status(purchase):
    return Purchase.objects.all_partners().get(pk=purchase.pk).status


def test_the_countdown_task_completes_after_the_delay(
    celery_worker, pending, global_admin, mailoutbox
):
    with partner_scope(pending.partner):
        purchase_cancel(
            partner=pending.partner, actor=global_admin, purchase_id=pending.pk, acknowledged=True
        )
    assert _status(pending) == PurchaseStatus.PENDING_CANCELLATION
    wait_until(lambda: _status(pending) == PurchaseStatus.CANCELLED, timeout=20)
    assert Credit.objects.all_partners().filter(purchase=pending).count() == 1
    wait_until(lambda: mailoutbox)
    assert "Cancellation completed" in mailoutbox[0].subject
    assert global_admin.email in mailoutbox[0].to


def test_the_reconciler_completes_one_whose_task_was_lost(celery_worker, pending, global_admin):
    with partner_scope(pending.partner):
        purchase_cancel(
            partner=pending.partner,
            actor=global_admin,
            purchase_id=pending.pk,
            acknowledged=True,
            at=timezone.now() - timedelta(minutes=1),
        )
    app.control.purge()  # the countdown task is lost
    Purchase.objects.all_partners().filter(pk=pending.pk).update(
        cancellation_complete_after=timezone.now() - timedelta(seconds=1)
    )
    cancellations_reconcile_task.delay()
    wait_until(lambda: _status(pending) == PurchaseStatus.CANCELLED, timeout=20)
    assert Credit.objects.all_partners().filter(purchase=pending).count() == 1


def test_the_task_sent_twice_books_one_credit(celery_worker, pending, global_admin):
    with partner_scope(pending.partner):
        purchase_cancel(
            partner=pending.partner,
            actor=global_admin,
            purchase_id=pending.pk,
            acknowledged=True,
            at=timezone.now() - timedelta(minutes=1),
        )
    for _ in range(3):
        purchase_cancellation_complete_task.delay(
            partner_id=pending.partner_id, purchase_id=pending.pk
        )
    wait_until(lambda: _status(pending) == PurchaseStatus.CANCELLED, timeout=20)
    cancellations_reconcile_task.delay()
    wait_until(lambda: Credit.objects.all_partners().filter(purchase=pending).exists())
    assert Credit.objects.all_partners().filter(purchase=pending).count() == 1
