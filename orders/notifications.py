"""E-mails about orders, sent by the worker after the change has committed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from partners.models import User
from partners.roles import Role

from .models import Credit, CreditKind, OrderLine


def _recipients(purchase: OrderLine) -> list[User]:
    """Who asked for the cancellation, and the partner's Global admins."""
    people = {u.pk: u for u in User.members.filter(is_active=True) if u.has_role(Role.GLOBAL_ADMIN)}
    requester = purchase.cancellation_requested_by
    if requester is not None and requester.is_active:
        people[requester.pk] = requester
    return list(people.values())


def cancellation_completed_notify(*, purchase_id: int) -> None:
    purchase = OrderLine.objects.select_related(
        "order", "customer", "cancellation_requested_by"
    ).get(pk=purchase_id)
    credit = Credit.objects.filter(purchase=purchase, kind=CreditKind.CANCEL_IMMEDIATE).first()
    for person in _recipients(purchase):
        with translation.override(person.language):
            subject = _("Cancellation completed: %(product)s for %(customer)s") % {
                "product": purchase.product_title,
                "customer": purchase.customer.company_name,
            }
            body = render_to_string(
                "orders/email/cancellation_completed.txt",
                {"purchase": purchase, "credit": credit, "person": person},
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
