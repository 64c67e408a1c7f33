"""E-mails before a purchase's cancellation window closes, 7 days and 1 day ahead, to the users
who turned them on in Preferences. Each is queued in the outbox under a key naming the purchase
and the reminder, and the outbox keeps one message per key and address: however often the sweep
runs or is retried, a user gets each reminder of a purchase at most once."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

from core.languages import user_language
from core.roles import Action, user_can
from core.tenancy import partner_scope
from outbox.services import email_queue
from partners.models import Partner, User

from .selectors import purchases_closing_between

logger = logging.getLogger(__name__)
ONE_DAY = timedelta(days=1)
# (name, the window closes within, but not within): a purchase closing within a day gets the
# last reminder only.
REMINDERS = (("1d", ONE_DAY, timedelta(0)), ("7d", timedelta(days=7), ONE_DAY))


def cancellation_reminders_queue(*, at: datetime) -> int:
    """Queue the reminders due at the moment for every partner; return how many were queued."""
    partner_ids = (
        User.objects.filter(cancellation_reminders=True, is_active=True, partner__isnull=False)
        .order_by().values_list("partner_id", flat=True).distinct()
    )
    queued = 0
    for partner in Partner.objects.filter(pk__in=list(partner_ids)).order_by("pk"):
        try:
            with partner_scope(partner), transaction.atomic():
                queued += _partner_reminders_queue(partner=partner, at=at)
        except Exception:  # noqa: BLE001 - one partner's failure must not hold up the others
            logger.exception(
                "Cancellation reminders of partner %s not queued; the next sweep tries again",
                partner.pk,
            )
    return queued


def _partner_reminders_queue(*, partner: Partner, at: datetime) -> int:
    recipients = [
        user for user in User.members.filter(cancellation_reminders=True, is_active=True)
        .select_related("partner") if user_can(user, Action.VIEW_CUSTOMERS)
    ]
    if not recipients:
        return 0
    queued = 0
    for name, ahead, not_before in REMINDERS:
        for purchase in purchases_closing_between(start=at + not_before, end=at + ahead):
            for user in recipients:
                queued += _reminder_queue(
                    partner=partner, purchase=purchase, user=user, reminder=name, at=at
                )
    return queued


def _reminder_queue(*, partner, purchase, user, reminder: str, at: datetime) -> bool:
    closes_at = purchase.cancellable_until
    days_left = max(1, math.ceil((closes_at - at) / ONE_DAY))
    with translation.override(user_language(user)):
        subject = ngettext(
            "Cancellation window closes in %(days)s day: %(product)s for %(customer)s",
            "Cancellation window closes in %(days)s days: %(product)s for %(customer)s",
            days_left,
        ) % {"days": days_left, "product": purchase.product_title,
             "customer": purchase.customer.company_name}
        body = render_to_string("orders/email/cancellation_reminder.txt", {
            "purchase": purchase, "closes_at": closes_at,
            "time_zone": user.time_zone,
        })
    return email_queue(
        partner=partner,
        event_key=f"orders.cancellation_reminder_{reminder}:{purchase.pk}",
        recipient=user.email,
        subject=subject,
        body=body,
    )
