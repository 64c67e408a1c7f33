"""Support staff's pages: the queue across every partner, one request, and its triage.

Reads go through support.staff_selectors (the app's only use of the scoping escape hatch); every
write runs in the request's partner scope, so its events land in that partner's activity log.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import requires
from core.errors import NotFound, PortalError
from core.roles import Action

from . import selectors, services, staff_selectors
from .choices import DECISIONS, TRANSITIONS
from .downloads import attachment_response
from .forms import DecisionForm, QueueFilterForm, StaffNoteForm, StatusForm
from .intake import ServiceRequestInvalid
from .triage import service_request_triage

PAGE_SIZE = 50


def triage(view):
    """Support staff only, with a partner user's foreign request id answering 404 before 403.

    A partner user gets the 403 of a missing role only for their own partner's requests; for any
    other id the answer is the same 404 as everywhere, so these routes never hint that another
    partner's request exists.
    """
    guarded = requires(Action.TRIAGE_SUPPORT_REQUESTS)(view)

    @functools.wraps(guarded)
    def wrapper(request, *args, request_id, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and user.partner_id is not None
            and not selectors.service_request_exists(request_id=request_id)
        ):
            raise NotFound(_("Support request not found."))
        return guarded(request, *args, request_id=request_id, **kwargs)

    return wrapper


@requires(Action.TRIAGE_SUPPORT_REQUESTS)
def queue_view(request):
    form = QueueFilterForm(request.GET or None, partners=staff_selectors.partner_list())
    filters = staff_selectors.QueueFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = staff_selectors.QueueFilters(
            status=data["status"] or staff_selectors.OPEN, topic=data["topic"],
            impact=data["impact"], partner_id=data["partner"], search=data["q"],
        )
    page = Paginator(staff_selectors.queue_list(filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "support/queue.html",
        {"form": form, "page": page, "filter_query": urlencode(kept)},
    )


@triage
def queue_detail_view(request, request_id):
    service_request = staff_selectors.service_request_get_any(request_id=request_id)
    next_statuses = [
        status for status in TRANSITIONS[service_request.status] if status not in DECISIONS
    ]
    status_form = StatusForm()
    status_form.fields["status"].choices = [
        (status.value, status.label) for status in next_statuses
    ]
    can_decide = service_request.is_refund and all(
        service_request.can_become(s) for s in DECISIONS
    )
    refundable = staff_selectors.service_request_refundable(service_request) if can_decide else None
    return render(
        request,
        "support/queue_detail.html",
        {
            "service_request": service_request,
            "status_form": status_form if next_statuses else None,
            "can_decide": can_decide,
            "refundable": refundable,
            "decision_form": DecisionForm(
                initial={
                    "approved_amount": min(
                        service_request.amount_requested, refundable.remaining
                    )
                    if refundable
                    else None
                }
            ),
            "note_form": StaffNoteForm(),
        },
    )


def _triaged(request, request_id, write, *, success: str):
    """Make a triage write on the request; report the outcome as a message."""
    try:
        service_request_triage(actor=request.user, request_id=request_id, write=write)
    except ServiceRequestInvalid as error:
        for message in error.problems.values():
            messages.error(request, message)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("support:queue_detail", request_id=request_id)


@triage
@require_POST
def queue_assign_view(request, request_id):
    return _triaged(
        request, request_id, services.service_request_assign,
        success=_("The request is assigned to you."),
    )


@triage
@require_POST
def queue_status_view(request, request_id):
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("support:queue_detail", request_id=request_id)
    return _triaged(
        request, request_id,
        functools.partial(
            services.service_request_status_change,
            status=form.cleaned_data["status"], note=form.cleaned_data["note"],
        ),
        success=_("Status changed."),
    )


@triage
@require_POST
def queue_decide_view(request, request_id):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("support:queue_detail", request_id=request_id)
    approve = form.cleaned_data["decision"] == "approve"
    return _triaged(
        request, request_id,
        functools.partial(
            services.refund_request_decide, approve=approve,
            approved_amount=form.cleaned_data["approved_amount"],
            resolution=form.cleaned_data["resolution"],
        ),
        success=_("Refund approved; the credit is booked for the partner's next invoice.")
        if approve else _("Refund rejected."),
    )


@triage
@require_POST
def queue_note_view(request, request_id):
    form = StaffNoteForm(request.POST)
    form.is_valid()
    return _triaged(
        request, request_id,
        functools.partial(
            services.service_request_note_add, text=form.cleaned_data.get("text", ""),
            is_internal=form.cleaned_data.get("is_internal", False),
        ),
        success=_("Note added."),
    )


@triage
def queue_attachment_view(request, request_id, attachment_id):
    attachment = staff_selectors.attachment_get_any(
        request_id=request_id, attachment_id=attachment_id
    )
    return attachment_response(attachment)
