"""Cancellation reminders, 7 days and 1 day before a window closes, sent by the beat's task on a
real worker: one e-mail per purchase, user and reminder, to those who asked, in their language;
none for a purchase cancelled, not cancellable or past its window; none twice after a retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import ProductFamily
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.reminders import cancellation_reminders_queue
from orders.services.cancellation import purchase_cancel
from orders.tasks import cancellation_reminders_queue_task
from orders.tests.factories import order_for
from outbox.models import Message
from outbox.tasks import message_send_task, messages_sweep_task
from partners.tests.factories import PartnerFactory, UserFactory
from tests.waiting import wait_for_the_worker_queue, wait_until

pytestmark = pytest.mark.worker


def _purchase(customer, *, days_ago: float, **product):
    order = order_for(customer, at=timezone.now() - timedelta(days=days_ago), **product)
    with partner_scope(customer.partner):
        return order.lines.get()


@pytest.fixture
def world(owner_partner, role_users):
    """Purchases of every kind near their window's end, and users who asked or did not."""
    owner_partner.language = "it"
    owner_partner.save(update_fields=["language"])
    agent = role_users[Role.ADMIN_AGENT]
    people = {
        "agent": agent,
        "italian": UserFactory(partner=owner_partner, roles=[Role.SALES_AGENT.value],
                               email="vendite@owner.example"),  # no language: the partner's
        "english": UserFactory(partner=owner_partner, roles=[Role.GLOBAL_ADMIN.value],
                               email="boss@owner.example", language="en"),
        "off": UserFactory(partner=owner_partner, roles=[Role.SALES_AGENT.value],
                           email="quiet@owner.example"),
        "gone": UserFactory(partner=owner_partner, roles=[Role.SALES_AGENT.value],
                            email="gone@owner.example", is_active=False),
        # Asked before losing the role that sees customers: nothing about purchases any more.
        "billing": UserFactory(partner=owner_partner, roles=[Role.BILLING_ADMIN.value],
                               email="billing@owner.example"),
    }
    for name in ("italian", "english", "gone", "billing"):
        people[name].cancellation_reminders = True
        people[name].save(update_fields=["cancellation_reminders"])
    contoso = CustomerFactory(partner=owner_partner, country="IT", company_name="Contoso Italia")
    purchases = {
        "five_days": _purchase(contoso, days_ago=55, title="Windows Server 2022 Standard"),
        "half_a_day": _purchase(contoso, days_ago=59.5, title="SQL Server 2022 Standard"),
        "ten_days": _purchase(contoso, days_ago=50, title="Windows Server 2022 Datacenter"),
        "past": _purchase(contoso, days_ago=61, title="SQL Server 2022 Enterprise"),
        "plan": _purchase(contoso, days_ago=55, title="SUSE Linux Enterprise Server plan",
                          family=ProductFamily.SOFTWARE_PLAN),
        "cancelled": _purchase(contoso, days_ago=56, title="Windows Server 2019 Standard"),
    }
    with partner_scope(owner_partner):
        purchase_cancel(partner=owner_partner, actor=agent,
                        purchase_id=purchases["cancelled"].pk, acknowledged=True)
    # Another partner's user who asked, with a purchase of their own closing: theirs alone.
    other = PartnerFactory(name="Other Partner", home_country="IT")
    outsider = UserFactory(partner=other, roles=[Role.SALES_AGENT.value],
                           email="someone@other.example", cancellation_reminders=True)
    theirs = _purchase(CustomerFactory(partner=other, country="IT", company_name="Theirs"),
                       days_ago=55, title="Windows Server 2022 Standard")
    return {"people": people, "purchases": purchases, "outsider": outsider, "theirs": theirs}


FIVE, HALF = "Windows Server 2022 Standard", "SQL Server 2022 Standard"
EXPECTED = sorted([
    ("boss@owner.example", f"Cancellation window closes in 5 days: {FIVE} for Contoso Italia"),
    ("boss@owner.example", f"Cancellation window closes in 1 day: {HALF} for Contoso Italia"),
    # No language chosen: the partner's document language, Italian.
    ("vendite@owner.example",
     f"La finestra di annullamento si chiude tra 5 giorni: {FIVE} per Contoso Italia"),
    ("vendite@owner.example",
     f"La finestra di annullamento si chiude tra 1 giorno: {HALF} per Contoso Italia"),
    ("someone@other.example", f"Cancellation window closes in 5 days: {FIVE} for Theirs"),
])


def _sent(mailoutbox) -> list[tuple[str, str]]:
    return sorted((mail.to[0], mail.subject) for mail in mailoutbox)


def test_each_user_who_asked_gets_each_reminder_once_in_their_language(
    celery_worker, world, mailoutbox
):
    cancellation_reminders_queue_task.delay()
    wait_until(lambda: len(mailoutbox) == len(EXPECTED), timeout=30)
    # The beat's next runs, a redelivered send and the outbox sweep find every message sent.
    cancellation_reminders_queue_task.delay()
    cancellation_reminders_queue_task.delay()
    for partner in (world["people"]["agent"].partner, world["outsider"].partner):
        with partner_scope(partner):
            for message in Message.objects.all():
                message_send_task.delay(partner_id=partner.pk, message_id=message.pk)
    messages_sweep_task.delay()
    wait_for_the_worker_queue()

    assert _sent(mailoutbox) == EXPECTED
    body = next(mail.body for mail in mailoutbox
                if mail.to == ["boss@owner.example"] and "5 days" in mail.subject)
    order = world["purchases"]["five_days"].order
    assert f"{FIVE} for Contoso Italia (order {order.alternate_id}) closes on" in body
    assert "open the customer's Software page" in body


def test_the_last_reminder_comes_when_a_day_is_left_and_never_after_the_window(
    celery_worker, world, mailoutbox
):
    now = timezone.now()
    assert cancellation_reminders_queue(at=now) == len(EXPECTED)
    # Four and a half days on, the five-day purchase has half a day left: its last reminder;
    # the ten-day one has five and a half: its first. The half-day one has closed.
    assert cancellation_reminders_queue(at=now + timedelta(days=4, hours=12)) == 5
    assert cancellation_reminders_queue(at=now + timedelta(days=4, hours=13)) == 0
    assert cancellation_reminders_queue(at=now + timedelta(days=6)) == 0
    wait_until(lambda: len(mailoutbox) == len(EXPECTED) + 5, timeout=30)
    wait_for_the_worker_queue()
    late = sorted(set(_sent(mailoutbox)) - set(EXPECTED))
    ten = "Windows Server 2022 Datacenter"
    assert late == sorted([
        ("boss@owner.example", f"Cancellation window closes in 1 day: {FIVE} for Contoso Italia"),
        ("boss@owner.example", f"Cancellation window closes in 6 days: {ten} for Contoso Italia"),
        ("someone@other.example", f"Cancellation window closes in 1 day: {FIVE} for Theirs"),
        ("vendite@owner.example",
         f"La finestra di annullamento si chiude tra 1 giorno: {FIVE} per Contoso Italia"),
        ("vendite@owner.example",
         f"La finestra di annullamento si chiude tra 6 giorni: {ten} per Contoso Italia"),
    ])
    assert len(mailoutbox) == len(EXPECTED) + 5


def test_nobody_is_reminded_of_a_purchase_cancelled_since_it_was_due(world, settings):
    purchase = world["purchases"]["five_days"]
    with partner_scope(purchase.partner):
        purchase_cancel(partner=purchase.partner, actor=world["people"]["agent"],
                        purchase_id=purchase.pk, acknowledged=True)
        cancellation_reminders_queue(at=timezone.now())
        reminded = set(Message.objects.values_list("event_key", flat=True))
    assert reminded == {f"orders.cancellation_reminder_1d:{world['purchases']['half_a_day'].pk}"}
