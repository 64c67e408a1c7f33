"""Telling the partner's contact that their request changed status, once per change."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import ServiceRequestNote


@transaction.atomic
def status_change_notify(*, note_id: int) -> None:
    """E-mail the request's contact about the status change this entry records; never twice."""
    note = (
        ServiceRequestNote.objects.select_for_update(of=("self",))
        .select_related("service_request", "service_request__partner")
        .filter(pk=note_id, notified_at__isnull=True, is_internal=False)
        .exclude(status_to="")
        .first()
    )
    if note is None:
        return
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
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [service_request.contact_email])
    note.notified_at = timezone.now()
    note.save(update_fields=["notified_at"])
