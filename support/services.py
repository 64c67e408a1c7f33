"""Writes on support requests: filing, notes, triage and the refund decision.

Each is one transaction: check, lock the request, write, record the event in the partner's
activity log, and e-mail the partner's contact about a status change once it has committed.
Support staff belong to no partner: their entry points run these inside the request's partner
scope, with the support user as the actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from activity.models import OperationType, ResourceType
from activity.services import event_record
from core.errors import Conflict, NotFound, PortalError, RoleRequired
from core.money import format_money
from core.roles import Action, user_can
from orders.models import CreditKind
from orders.refundable import REFUND_EXCEEDS_REFUNDABLE, NotRefundable, refundable_get
from orders.services.credits import credit_book
from webhooks.events import webhook_event_emit
from webhooks.models import EventType

from .attachments import CheckedFile, attachments_check, attachments_store
from .choices import DECISIONS, Status
from .intake import (
    TEXT_MAX_LENGTH,
    Problems,
    ServiceRequestDraft,
    ServiceRequestInvalid,
    amount_parse,
    amount_precision_problem,
    draft_problems,
    phone_e164,
)
from .models import ServiceRequest, ServiceRequestNote
from .notifications import status_change_notify
from .refunds import REFUND_CREDIT_REASON_CODE, refund_credit_amounts
from .selectors import RefundTarget, refund_target_find


def _amount_requested(
    draft: ServiceRequestDraft, target: RefundTarget, problems: Problems
) -> Decimal | None:
    if not draft.is_refund or target.order is None or "amount_requested" in problems:
        return None
    amount = amount_parse(draft.amount_requested)
    if precision := amount_precision_problem(amount, target.order.currency_code):
        problems.add("amount_requested", precision)
    refundable = refundable_get(order=target.order, purchase=target.purchase)
    if amount > refundable.remaining:
        problems.add(
            "amount_requested", refundable.refusal().message, code=REFUND_EXCEEDS_REFUNDABLE
        )
    return amount


def _files_checked(files: Sequence[File], problems: Problems) -> list[CheckedFile]:
    checked, refusals = attachments_check(files)
    if refusals:
        problems.add("files", " ".join(refusals + [_("Nothing was saved.")]))
    return checked


@transaction.atomic
def service_request_file(
    *, partner, actor, draft: ServiceRequestDraft, files: Sequence[File] = ()
) -> ServiceRequest:
    """File a request with its files; when anything is wrong, say all of it and store nothing."""
    problems = draft_problems(draft, phone_region=partner.home_country.code)
    target = refund_target_find(draft=draft, problems=problems)
    amount = _amount_requested(draft, target, problems)
    checked = _files_checked(files, problems)
    if problems:
        raise ServiceRequestInvalid(problems)
    now = timezone.now()
    service_request = ServiceRequest(
        partner=partner, filed_by=actor, topic=draft.topic, impact=draft.impact,
        # One line: the title becomes an e-mail subject, where a line break is refused.
        title=" ".join(draft.title.split()), description=draft.description.strip(),
        customer=target.customer, order=target.order, purchase=target.purchase,
        product_title=(draft.product.strip() or getattr(target.purchase, "product_title", "")),
        refund_reason=draft.refund_reason.strip() if draft.is_refund else "",
        amount_requested=amount,
        currency_code=target.order.currency_code if amount is not None else "",
        contact_name=draft.contact_name.strip(), contact_email=draft.contact_email.strip(),
        contact_phone=phone_e164(draft.contact_phone, region=partner.home_country.code),
        created_at=now, updated_at=now,
    )
    service_request.save(force_insert=True)
    event_record(
        partner=partner, actor=actor, operation=OperationType.CREATE_SERVICE_REQUEST,
        resource_type=ResourceType.SERVICE_REQUEST, customer=service_request.customer,
        object_id=str(service_request.pk),
        details={
            "productTitle": service_request.product_title,
            "number": service_request.number, "supportTopic": service_request.topic,
            "impact": service_request.impact, "title": service_request.title,
            "files": len(checked),
            **(
                {
                    "orderId": str(service_request.order_id),
                    "amountRequested": str(amount), "currencyCode": service_request.currency_code,
                }
                if amount is not None else {}
            ),
        },
    )
    # The last write: a failure while saving removes the files already saved.
    attachments_store(service_request=service_request, files=checked, actor=actor)
    return service_request


def _locked(*, partner, request_id: int) -> ServiceRequest:
    service_request = (
        ServiceRequest.objects.select_for_update().filter(partner=partner, pk=request_id).first()
    )
    if service_request is None:
        raise NotFound(_("Support request not found."))
    return service_request


def _require_support(actor) -> None:
    if not user_can(actor, Action.TRIAGE_SUPPORT_REQUESTS):
        raise RoleRequired(_("Only support staff triage support requests."))


def _status_set(service_request: ServiceRequest, *, actor, status: str, text: str = ""):
    """Move the request to a status, as an entry of its conversation the partner is told of."""
    note = ServiceRequestNote(
        partner_id=service_request.partner_id, service_request=service_request, author=actor,
        is_from_support=actor.is_support_staff, text=text, status_to=status,
    )
    note.save(force_insert=True)
    service_request.status = status
    _notify_on_commit(note)
    return note


def _notify_on_commit(note: ServiceRequestNote) -> None:
    status_change_notify(note=note)


def _check_transition(service_request: ServiceRequest, status: str) -> None:
    if not service_request.can_become(status):
        raise Conflict(
            _("A request that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": service_request.get_status_display(),
                "target": Status(status).label,
            },
            code="invalid_transition",
            field="status",
        )


def _updated(service_request: ServiceRequest, *, partner, actor, details: dict) -> None:
    """Save the request's changes and record them in the partner's activity log."""
    service_request.updated_at = timezone.now()
    service_request.save()
    event_record(
        partner=partner, actor=actor, operation=OperationType.UPDATE_SERVICE_REQUEST,
        resource_type=ResourceType.SERVICE_REQUEST, customer=service_request.customer,
        object_id=str(service_request.pk),
        details={"productTitle": service_request.product_title, "number": service_request.number,
                 **details},
    )
    if "status" in details:
        webhook_event_emit(
            partner=partner, event_type=EventType.SERVICE_REQUEST_STATUS_CHANGED,
            subject=service_request,
        )


@transaction.atomic
def service_request_note_add(
    *, partner, actor, request_id: int, text: str, files: Sequence[File] = (),
    is_internal: bool = False,
) -> ServiceRequestNote:
    """Add a note and files; a partner's reply puts a request waiting on them back in progress."""
    from_support = actor.is_support_staff
    if is_internal and not from_support:
        raise RoleRequired(_("Only support staff write internal notes."))
    text = text.strip()
    problems = Problems()
    if len(text) > TEXT_MAX_LENGTH:
        problems.add("text", _("Write at most %(count)d characters.") % {"count": TEXT_MAX_LENGTH})
    if is_internal and files:
        problems.add("files", _("Internal notes carry no files."))
    checked = _files_checked(files, problems)
    if not text and not files:
        problems.add("text", _("Write a note or add a file."))
    if problems:
        raise ServiceRequestInvalid(problems)
    service_request = _locked(partner=partner, request_id=request_id)
    if service_request.status == Status.CLOSED:
        raise Conflict(
            _("This request is closed: file a new one if the problem is back."),
            code="request_closed",
        )
    # The partner answered what support was waiting for: the ball is in support's court again.
    reopens = not from_support and service_request.status == Status.WAITING_ON_PARTNER
    note = ServiceRequestNote(
        partner=partner, service_request=service_request, author=actor,
        is_from_support=from_support, is_internal=is_internal, text=text,
        status_to=Status.IN_PROGRESS if reopens else "",
    )
    note.save(force_insert=True)
    details = {"note": True, "files": len(checked)}
    if reopens:
        service_request.status = details["status"] = Status.IN_PROGRESS
        _notify_on_commit(note)
    if is_internal:
        # The partner's activity log is read by the partner: internal notes stay out of it.
        service_request.updated_at = timezone.now()
        service_request.save(update_fields=["updated_at"])
    else:
        _updated(service_request, partner=partner, actor=actor, details=details)
    attachments_store(service_request=service_request, files=checked, actor=actor, note=note)
    return note


@transaction.atomic
def service_request_assign(*, partner, actor, request_id: int) -> ServiceRequest:
    """Assign the request to the acting support user; taking a new request starts work on it."""
    _require_support(actor)
    service_request = _locked(partner=partner, request_id=request_id)
    if service_request.status == Status.CLOSED:
        raise Conflict(_("This request is closed."), code="request_closed")
    service_request.assigned_to = actor
    if service_request.status != Status.NEW:
        service_request.save(update_fields=["assigned_to"])
        return service_request
    _status_set(service_request, actor=actor, status=Status.IN_PROGRESS)
    _updated(service_request, partner=partner, actor=actor, details={"status": Status.IN_PROGRESS})
    return service_request


@transaction.atomic
def service_request_status_change(
    *, partner, actor, request_id: int, status: str, note: str = ""
) -> ServiceRequest:
    """Move the request along (in progress, waiting on partner, closed), with a note to them."""
    _require_support(actor)
    if status in DECISIONS:
        raise PortalError(
            _("Approve or reject a refund request with its decision."),
            code="decision_required", field="status",
        )
    if status not in Status.values:
        raise PortalError(_("Choose a status."), code="invalid_status", field="status")
    note = note.strip()
    if len(note) > TEXT_MAX_LENGTH:
        raise PortalError(
            _("Write at most %(count)d characters.") % {"count": TEXT_MAX_LENGTH},
            code="text_too_long", field="resolution",
        )
    service_request = _locked(partner=partner, request_id=request_id)
    _check_transition(service_request, status)
    _status_set(service_request, actor=actor, status=status, text=note)
    _updated(service_request, partner=partner, actor=actor, details={"status": status})
    return service_request


def _approved_amount(service_request: ServiceRequest, amount: Decimal | None) -> Decimal:
    if amount is None or amount <= 0:
        raise PortalError(
            _("Enter the amount to approve, more than zero."),
            code="approved_amount_required", field="approvedAmount",
        )
    if precision := amount_precision_problem(amount, service_request.currency_code):
        raise PortalError(precision, code="invalid_amount", field="approvedAmount")
    if amount > service_request.amount_requested:
        raise PortalError(
            _("At most the amount requested, %(amount)s, can be approved.")
            % {
                "amount": format_money(
                    service_request.amount_requested, service_request.currency_code,
                    get_language() or "en",
                )
            },
            code="approved_amount_too_high", field="approvedAmount",
        )
    return amount


@transaction.atomic
def refund_request_decide(
    *, partner, actor, request_id: int, approve: bool, approved_amount: Decimal | None = None,
    resolution: str = "",
) -> ServiceRequest:
    """Approve a refund (its credit is booked once, for the next invoice) or reject it."""
    _require_support(actor)
    resolution = resolution.strip()
    if len(resolution) > TEXT_MAX_LENGTH:
        raise PortalError(
            _("Write at most %(count)d characters.") % {"count": TEXT_MAX_LENGTH},
            code="text_too_long", field="resolution",
        )
    # Locked first: of two approvals at once, the second waits here and then finds it decided.
    service_request = _locked(partner=partner, request_id=request_id)
    if not service_request.is_refund:
        raise PortalError(
            _("Only refund requests are approved or rejected; close this one instead."),
            code="not_a_refund", field="status",
        )
    if service_request.status in DECISIONS:
        raise Conflict(
            _("This request was already decided: %(status)s.")
            % {"status": service_request.get_status_display()},
            code="already_decided", field="status",
        )
    status = Status.APPROVED if approve else Status.REJECTED
    _check_transition(service_request, status)
    details: dict = {"status": status}
    if approve:
        amount = _approved_amount(service_request, approved_amount)
        # credit_book decides under the order's lock: of two approvals for one order (two
        # requests, or a refund and a cancellation), the second sees the first's credit.
        try:
            booked = credit_book(
                partner=partner, actor=actor, customer=service_request.customer,
                order=service_request.order, purchase=service_request.purchase,
                kind=CreditKind.CUSTOMER_CREDIT, reason_code=REFUND_CREDIT_REASON_CODE,
                amounts=refund_credit_amounts(
                    order=service_request.order, purchase=service_request.purchase, total=amount
                ),
                service_request_id=service_request.pk,
                details={
                    "number": service_request.number, "orderId": str(service_request.order_id)
                },
            )
        except NotRefundable as refused:
            refused.field = "approvedAmount"
            raise
        service_request.approved_amount, service_request.credit = amount, booked.credit
        details.update(
            approvedAmount=str(amount), currencyCode=service_request.currency_code,
            creditId=str(booked.credit.pk),
        )
    elif not resolution:
        raise PortalError(
            _("Say why the refund is rejected."), code="resolution_required", field="resolution"
        )
    service_request.resolution = resolution
    service_request.decided_by, service_request.decided_at = actor, timezone.now()
    _status_set(service_request, actor=actor, status=status, text=resolution)
    _updated(service_request, partner=partner, actor=actor, details={**details, "status": status})
    return service_request
