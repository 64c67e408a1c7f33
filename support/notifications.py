"""Telling the partner's contact that their request changed status, queued in the outbox inside
the change's transaction: once per change, delivered after commit."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from outbox.services import email_queue

from .models import ServiceRequestNote


def status_change_notify(*, note: ServiceRequestNote) -> None:
    """Queue the e-mail to the request's contact about the status change this entry records."""
    service_request = note.service_request
    # The contact need not be a portal user: the partner's document language is theirs.
    with translation.override(service_request.partner.language):
        subject = _("[%(number)s] %(status)s: %(title)s") % {
            "number": service_request.number,
            "status": note.get_status_to_display(),
            "title": service_request.title,
        }
        body = render_to_string(
            "support/email/status_change.txt",
            {"service_request": service_request, "note": note},
        )
    email_queue(
        partner=service_request.partner,
        event_key=f"support.status_change:{note.pk}",
        recipient=service_request.contact_email,
        subject=subject,
        body=body,
    )
