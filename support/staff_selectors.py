"""Reads for support staff across every partner: the one module of the app that crosses them.

Support staff triage every partner's requests, so these queries use the scoping escape hatch
(`all_partners()`); tests/test_tenancy.py allows it in this file and nowhere else in the app.
Only the staff views and the staff branch of the API call these.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.tenancy import partner_scope
from orders.refundable import Refundable, refundable_get
from partners.models import Partner

from .choices import OPEN_STATUSES
from .models import Attachment, ServiceRequest, ServiceRequestNote

ALL_STATUSES = "all"
OPEN = "open"


@dataclass(frozen=True)
class QueueFilters:
    status: str = OPEN
    topic: str = ""
    impact: str = ""
    partner_id: int | None = None
    search: str = ""


def queue_list(*, filters: QueueFilters) -> QuerySet[ServiceRequest]:
    """Return every partner's requests, most urgent first: by impact, then the longest waiting."""
    requests = ServiceRequest.objects.all_partners().select_related(
        "partner", "customer", "assigned_to"
    )
    if filters.status == OPEN:
        requests = requests.with_status(OPEN_STATUSES)
    elif filters.status != ALL_STATUSES:
        requests = requests.filter(status=filters.status)
    if filters.topic:
        requests = requests.filter(topic=filters.topic)
    if filters.impact:
        requests = requests.filter(impact=filters.impact)
    if filters.partner_id is not None:
        requests = requests.filter(partner_id=filters.partner_id)
    return requests.matching(filters.search).most_urgent_first()


def partner_list() -> QuerySet[Partner]:
    """Return every partner by name, for the queue's partner filter."""
    return Partner.objects.order_by("name")


def service_request_list_any() -> QuerySet[ServiceRequest]:
    """Return every partner's requests, for the API's keyset paging."""
    return ServiceRequest.objects.all_partners().select_related("customer", "partner")


def service_request_get_any(*, request_id: int) -> ServiceRequest:
    """Return any partner's request with its whole conversation, internal notes included."""
    notes = (
        ServiceRequestNote.objects.all_partners()
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.all_partners().order_by("id"))
        )
        .order_by("created_at", "id")
    )
    service_request = (
        ServiceRequest.objects.all_partners()
        .select_related(
            "partner", "customer", "order", "purchase", "filed_by", "assigned_to", "credit"
        )
        .prefetch_related(
            Prefetch("notes", queryset=notes),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.all_partners().filter(note__isnull=True).order_by("id"),
                to_attr="filed_attachments",
            ),
        )
        .filter(pk=request_id)
        .first()
    )
    if service_request is None:
        raise NotFound(_("Support request not found."))
    return service_request


def attachment_get_any(*, request_id: int, attachment_id: int) -> Attachment:
    """Return a file of any partner's request, internal notes' files included."""
    attachment = (
        Attachment.objects.all_partners()
        .filter(service_request_id=request_id, pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise NotFound(_("File not found."))
    return attachment


def service_request_refundable(service_request: ServiceRequest) -> Refundable | None:
    """Return what remains refundable of a refund request's order or purchase, else None.

    Read in the request's partner scope, since support staff read across partners.
    """
    if not service_request.is_refund:
        return None
    with partner_scope(service_request.partner):
        return refundable_get(order=service_request.order, purchase=service_request.purchase)
