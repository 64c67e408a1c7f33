"""The reconciler isolates a purchase whose completion fails: logged, skipped, retried later."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders import sweeps
from orders.models import Credit, Purchase, PurchaseStatus
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.sweeps import cancellations_reconcile
from orders.tests.factories import order_for


@pytest.fixture
def due_purchases(owner_partner, outsider_partner, global_admin, settings):
    """Four purchases of two partners whose cancellations are due, oldest request first."""
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 0
    requested = timezone.now() - timedelta(hours=1)
    purchases = []
    for index, partner in enumerate((owner_partner, outsider_partner) * 2):
        customer = CustomerFactory(partner=partner, country="IT")
        with partner_scope(partner):
            purchase = order_for(customer).lines.get()
            purchase_cancel(
                partner=partner, actor=None, purchase_id=purchase.pk, acknowledged=True,
                at=requested + timedelta(minutes=index),
            )
        purchases.append(purchase)
    return purchases


def _statuses(purchases):
    rows = Purchase.objects.all_partners().in_bulk([p.pk for p in purchases])
    return [rows[p.pk].status for p in purchases]


def _failing_for(purchase_id, monkeypatch):
    """Make the completion of one purchase raise, as a bug or bad row would; others complete."""

    def complete(**kwargs):
        if kwargs["purchase_id"] == purchase_id:
            raise ValueError(f"cannot complete purchase {purchase_id}")
        return purchase_cancellation_complete(**kwargs)

    monkeypatch.setattr(sweeps, "purchase_cancellation_complete", complete)


@pytest.mark.parametrize("batch_size", [1, 200])
def test_a_failing_purchase_is_logged_and_the_ones_behind_it_complete(
    due_purchases, monkeypatch, caplog, batch_size
):
    first, *others = due_purchases
    _failing_for(first.pk, monkeypatch)

    assert cancellations_reconcile(at=timezone.now(), batch_size=batch_size) == len(others)

    assert _statuses(due_purchases) == [PurchaseStatus.PENDING_CANCELLATION] + [
        PurchaseStatus.CANCELLED
    ] * len(others)
    credited = set(Credit.objects.all_partners().values_list("purchase_id", flat=True))
    assert credited == {p.pk for p in others}
    [failure] = [r for r in caplog.records if r.name == "orders.sweeps"]
    assert failure.levelname == "ERROR" and f"purchase {first.pk} " in failure.getMessage()


def test_the_failed_purchase_completes_on_a_later_sweep(due_purchases, monkeypatch):
    first = due_purchases[0]
    _failing_for(first.pk, monkeypatch)
    cancellations_reconcile(at=timezone.now())
    monkeypatch.undo()

    assert cancellations_reconcile(at=timezone.now()) == 1
    assert _statuses(due_purchases) == [PurchaseStatus.CANCELLED] * len(due_purchases)
    assert Credit.objects.all_partners().filter(purchase_id=first.pk).count() == 1
    assert cancellations_reconcile(at=timezone.now()) == 0


def test_a_database_error_in_one_completion_leaves_the_sweeps_transaction_usable(
    due_purchases, monkeypatch
):
    first = due_purchases[0]

    def complete(**kwargs):
        if kwargs["purchase_id"] == first.pk:
            # A real failing statement: PostgreSQL aborts the transaction it runs in.
            Purchase.objects.all_partners().filter(pk=first.pk).update(quantity=-1)
        return purchase_cancellation_complete(**kwargs)

    monkeypatch.setattr(sweeps, "purchase_cancellation_complete", complete)
    assert cancellations_reconcile(at=timezone.now()) == len(due_purchases) - 1
    assert _statuses(due_purchases)[0] == PurchaseStatus.PENDING_CANCELLATION
