"""Partner staff's support pages: Report a problem, their requests, the conversation, the files."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import requires
from core.errors import NotFound, PortalError
from core.roles import Action
from customers.selectors import customer_get

from . import selectors, services
from .attachments import ALLOWED_LABEL
from .choices import SupportTopic
from .downloads import attachment_response
from .forms import NoteForm, ReportProblemForm
from .intake import ServiceRequestDraft, ServiceRequestInvalid
from .uploads import upload_capped, upload_too_large_message, upload_was_cut

PAGE_SIZE = 25
# The <input type=file accept=...> hint; the server decides by content whatever the name says.
ACCEPT = ".pdf,.png,.jpg,.jpeg,.txt,.csv,application/pdf,image/png,image/jpeg,text/plain,text/csv"


def _or_404(call, **kwargs):
    return call(**kwargs)


def _upload_limits() -> dict:
    return {
        "accept": ACCEPT,
        "allowed_label": ALLOWED_LABEL,
        "max_files": settings.SUPPORT_ATTACHMENT_MAX_FILES,
        "max_size": filesizeformat(settings.SUPPORT_ATTACHMENT_MAX_BYTES),
    }


@requires(Action.FILE_SUPPORT_REQUESTS)
def request_list_view(request):
    search = request.GET.get("q", "")[:200]
    page = Paginator(selectors.service_request_list(search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "support/request_list.html", {"page": page, "query": search})


def _initial(request) -> dict:
    """The form as the cancellation dialog (or a customer's page) opens it, from the query."""
    user = request.user
    initial = {"contact_name": user.full_name, "contact_email": user.email}
    for field in ("topic", "customer", "order", "product"):
        value = request.GET.get(field, "").strip()[:255]
        if value:
            initial[field] = value
    if initial.get("product"):
        initial["title"] = _("Cancel and refund %(product)s") % {"product": initial["product"]}
    return initial


@requires(Action.FILE_SUPPORT_REQUESTS)
@upload_capped
@require_http_methods(["GET", "POST"])
def request_create_view(request):
    """Report a problem. Opened from elsewhere with query parameters, it comes pre-filled:

    `?topic=csp_purchase_refund&customer=<tenant GUID or domain>&order=<order UUID or number>
    &product=<product title>` (the cancellation dialog's link when a support request is needed;
    each parameter is optional, and the title then reads "Cancel and refund <product>").
    """
    if request.method == "GET":
        initial = _initial(request)
        form = ReportProblemForm(initial=initial)
        draft = ServiceRequestDraft(
            topic=initial.get("topic", ""), impact="", title="",
            customer=initial.get("customer", ""), order=initial.get("order", ""),
            product=initial.get("product", ""),
        )
        return _form_page(request, form, draft=draft)
    form = ReportProblemForm(request.POST)
    if upload_was_cut(request):
        form.is_valid()
        form.add_error(None, upload_too_large_message())
        return _form_page(request, form, status=413)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    draft = form.draft()
    try:
        service_request = services.service_request_file(
            partner=request.user.partner, actor=request.user, draft=draft,
            files=request.FILES.getlist("files"),
        )
    except ServiceRequestInvalid as error:
        for field, message in error.problems.items():
            if field in form.fields:
                form.add_error(field, message)
        return _form_page(
            request, form, status=400, files_error=error.problems.get("files"), draft=draft,
        )
    messages.success(
        request,
        _("Your request %(number)s was filed. Support will answer here and by e-mail.")
        % {"number": service_request.number},
    )
    return redirect("support:request_detail", request_id=service_request.pk)


def _form_page(
    request, form, *, status: int = 200, files_error: str | None = None,
    draft: ServiceRequestDraft | None = None,
):
    """The form; under the amount, what is still refundable of the order the draft names."""
    refundable = None
    if draft is not None and draft.is_refund:
        refundable = selectors.refund_target_refundable(draft=draft)
    return render(
        request,
        "support/request_form.html",
        {
            "form": form,
            "files_error": files_error,
            "refund_topic": SupportTopic.CSP_PURCHASE_REFUND,
            "refundable": refundable,
            **_upload_limits(),
        },
        status=status,
    )


@requires(Action.FILE_SUPPORT_REQUESTS)
def request_detail_view(request, request_id):
    service_request = _or_404(selectors.service_request_get, request_id=request_id)
    return render(
        request,
        "support/request_detail.html",
        {"service_request": service_request, "note_form": NoteForm(), **_upload_limits()},
    )


@requires(Action.FILE_SUPPORT_REQUESTS)
@upload_capped
@require_POST
def request_note_view(request, request_id):
    if not selectors.service_request_exists(request_id=request_id):
        raise NotFound(_("Support request not found."))
    form = NoteForm(request.POST)
    if upload_was_cut(request):
        messages.error(request, upload_too_large_message())
    elif form.is_valid():
        try:
            services.service_request_note_add(
                partner=request.user.partner, actor=request.user, request_id=request_id,
                text=form.cleaned_data["text"], files=request.FILES.getlist("files"),
            )
        except ServiceRequestInvalid as error:
            for message in error.problems.values():
                messages.error(request, message)
        except PortalError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your note was added."))
    return redirect("support:request_detail", request_id=request_id)


@requires(Action.FILE_SUPPORT_REQUESTS)
def attachment_download_view(request, request_id, attachment_id):
    attachment = _or_404(
        selectors.attachment_get, request_id=request_id, attachment_id=attachment_id
    )
    return attachment_response(attachment)


@requires(Action.VIEW_CUSTOMERS)
def customer_requests_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
    page = Paginator(selectors.service_request_list(customer=customer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "support/customer_requests.html",
        {"customer": customer, "page": page, "active_tab": "service-requests"},
    )
