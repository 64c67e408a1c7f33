"""E-mails about orders, queued in the outbox inside the change's transaction."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.languages import user_language
from core.roles import Role
from outbox.services import email_queue
from partners.models import User

from .models import Credit, CreditKind, Purchase


def _recipients(purchase: Purchase) -> list[User]:
    """Who asked for the cancellation, and the partner's Global admins."""
    people = {u.pk: u for u in User.members.filter(is_active=True) if u.has_role(Role.GLOBAL_ADMIN)}
    requester = purchase.cancellation_requested_by
    if requester is not None and requester.is_active:
        people[requester.pk] = requester
    return list(people.values())


def cancellation_completed_notify(*, purchase: Purchase) -> None:
    """Queue the "cancellation completed" e-mail for each recipient, in their language, once."""
    credit = Credit.objects.filter(purchase=purchase, kind=CreditKind.CANCEL_IMMEDIATE).first()
    for person in _recipients(purchase):
        with translation.override(user_language(person)):
            subject = _("Cancellation completed: %(product)s for %(customer)s") % {
                "product": purchase.product_title,
                "customer": purchase.customer.company_name,
            }
            body = render_to_string(
                "orders/email/cancellation_completed.txt",
                {"purchase": purchase, "credit": credit, "person": person},
            )
        email_queue(
            partner=purchase.partner,
            event_key=f"orders.cancellation_completed:{purchase.pk}",
            recipient=person.email,
            subject=subject,
            body=body,
        )
