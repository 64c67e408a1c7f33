"""The "cancellation completed" e-mail is queued in the completion's own transaction, once per
recipient, in each recipient's language."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Purchase, PurchaseStatus
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.tests.factories import order_for
from outbox.models import Message
from partners.tests.factories import UserFactory


@pytest.fixture
def pending(owner_partner, role_users, settings):
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 0
    customer = CustomerFactory(partner=owner_partner, country="IT", company_name="Contoso")
    with partner_scope(owner_partner):
        purchase = order_for(customer, title="SQL Server 2022").lines.get()
        purchase_cancel(partner=owner_partner, actor=role_users[Role.ADMIN_AGENT],
                        purchase_id=purchase.pk, acknowledged=True,
                        at=timezone.now() - timedelta(minutes=1))
    return purchase


def _queued(partner) -> dict[str, str]:
    with partner_scope(partner):
        return dict(Message.objects.values_list("recipient", "payload__subject"))


def test_the_requester_and_every_active_global_admin_get_one_each_in_their_language(
    pending, owner_partner, role_users
):
    italian = UserFactory(partner=owner_partner, roles=[Role.GLOBAL_ADMIN.value],
                          email="it@owner.example", language="it")
    # No language chosen: e-mails have no browser to ask, so the partner's document language.
    owner_partner.language = "it"
    owner_partner.save(update_fields=["language"])
    role_users[Role.GLOBAL_ADMIN].language = "en"
    role_users[Role.GLOBAL_ADMIN].save(update_fields=["language"])
    UserFactory(partner=owner_partner, roles=[Role.GLOBAL_ADMIN.value],
                email="gone@owner.example", is_active=False)
    with partner_scope(owner_partner):
        assert purchase_cancellation_complete(purchase_id=pending.pk) is True
        assert purchase_cancellation_complete(purchase_id=pending.pk) is False
    assert _queued(owner_partner) == {
        role_users[Role.ADMIN_AGENT].email: "Annullamento completato: SQL Server 2022 per Contoso",
        role_users[Role.GLOBAL_ADMIN].email: "Cancellation completed: SQL Server 2022 for Contoso",
        italian.email: "Annullamento completato: SQL Server 2022 per Contoso",
    }


def test_nothing_is_queued_when_the_completion_rolls_back(pending, owner_partner):
    with partner_scope(owner_partner), pytest.raises(RuntimeError), transaction.atomic():
        purchase_cancellation_complete(purchase_id=pending.pk)
        raise RuntimeError("the worker died before the commit")
    assert _queued(owner_partner) == {}
    status = Purchase.objects.all_partners().get(pk=pending.pk).status
    assert status == PurchaseStatus.PENDING_CANCELLATION
