"""Writes on any partner's support request: support staff's triage, and the API's update.

Support staff act across partners; each write here runs in the partner scope of the request it
changes, so the services below keep their usual scoped reads and locks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import PortalError
from core.tenancy import partner_scope

from . import services
from .choices import Status
from .models import ServiceRequest
from .staff_selectors import service_request_get_any


def service_request_triage(*, actor, request_id: int, write: Callable[..., object]) -> None:
    """Run a support staff write on any partner's request, in that partner's scope."""
    service_request = service_request_get_any(request_id=request_id)
    with partner_scope(service_request.partner):
        write(partner=service_request.partner, actor=actor, request_id=request_id)


@dataclass(frozen=True)
class ServiceRequestChange:
    """What one API update asks: a note (with files), and for support staff a status."""

    note_text: str | None = None
    is_internal: bool = False
    files: Sequence[File] = field(default_factory=tuple)
    status: str | None = None
    approved_amount: Decimal | None = None
    resolution: str = ""
    decision_fields_given: bool = False


def service_request_update(
    *, actor, service_request: ServiceRequest, change: ServiceRequestChange
) -> None:
    """Add the note and make the status change or decision as one outcome.

    A refused status change takes its note back with it; nothing is changed then.
    """
    if change.note_text is None and not change.files and change.status is None:
        raise PortalError(
            _("Nothing to change: send newNote, or (support staff) a status."),
            code="nothing_to_change",
        )
    partner, request_id = service_request.partner, service_request.pk
    with transaction.atomic(), partner_scope(partner):
        if change.note_text is not None or change.files:
            services.service_request_note_add(
                partner=partner, actor=actor, request_id=request_id,
                text=change.note_text or "", files=change.files, is_internal=change.is_internal,
            )
        if change.status is None:
            if change.decision_fields_given:
                raise PortalError(
                    _("approvedAmount and resolution go with a status."),
                    code="status_required", field="status",
                )
            return
        if change.status not in (Status.APPROVED, Status.REJECTED):
            services.service_request_status_change(
                partner=partner, actor=actor, request_id=request_id, status=change.status,
                note=change.resolution,
            )
            return
        services.refund_request_decide(
            partner=partner, actor=actor, request_id=request_id,
            approve=change.status == Status.APPROVED,
            approved_amount=change.approved_amount if change.status == Status.APPROVED else None,
            resolution=change.resolution,
        )
