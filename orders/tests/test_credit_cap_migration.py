"""Migrations 0004 and 0005 on a database that already has credits and a pending cancellation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Credit, CreditKind, Purchase
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.tests.factories import order_for
from support import services
from support.tests.factories import as_support, file_request, refund_draft

BEFORE = [("orders", "0003_cancellation")]


def _migrate(targets=None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def _refund(agent, support_user, order, amount: str, purchase=None) -> None:
    draft = refund_draft(
        order.customer, order, amount_requested=amount,
        subscription=str(purchase.pk) if purchase else "",
    )
    request = file_request(agent, draft)
    as_support(support_user, request, services.service_request_assign)
    as_support(
        support_user, request, services.refund_request_decide, approve=True,
        approved_amount=Decimal(amount),
    )


@pytest.mark.django_db(transaction=True)
def test_the_migrations_name_each_credits_order_hold_pending_credits_and_add_the_trigger(
    owner_partner, role_users, support_user
):
    agent = role_users[Role.ADMIN_AGENT]
    customer = CustomerFactory(partner=owner_partner, country="IT")
    with partner_scope(owner_partner):
        cancelled, refunded, refunded_whole, pending = (
            order_for(customer).lines.get() for _ in range(4)
        )
        for purchase, complete in ((cancelled, True), (pending, False)):
            at = purchase.purchased_at + timedelta(days=1)
            purchase_cancel(
                partner=owner_partner, actor=agent, purchase_id=purchase.pk, acknowledged=True,
                at=at,
            )
            if complete:
                purchase_cancellation_complete(purchase_id=purchase.pk, at=at + timedelta(1))
    _refund(agent, support_user, refunded.order, "50.00", refunded)
    _refund(agent, support_user, refunded_whole.order, "30.00")
    with partner_scope(owner_partner):
        before = sorted(Credit.objects.values_list("order_id", "purchase_id", "kind", "total"))

    _migrate(BEFORE)
    _migrate()

    with partner_scope(owner_partner):
        after = sorted(Credit.objects.values_list("order_id", "purchase_id", "kind", "total"))
        held = Purchase.objects.get(pk=pending.pk).cancellation_credit_total
        assert after == before
        assert (refunded.order_id, refunded.pk, CreditKind.CUSTOMER_CREDIT) in [
            row[:3] for row in after
        ], "a refund naming a purchase takes it from its support request"
        assert held == Decimal("122.00"), "the pending cancellation holds its previewed credit"
        over = Credit(
            partner=owner_partner, customer=customer, order=refunded_whole.order,
            kind=CreditKind.CUSTOMER_CREDIT, reason_code="bug", currency_code="EUR",
            prices_include_tax=False, tax_rate_percent=Decimal(22), amount=Decimal("92.01"),
            tax_amount=Decimal(0), total=Decimal("92.01"),
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            over.save()
