import contextlib

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from activity.models import OperationType, ResourceType
from activity.services import event_record
from catalog.models import SoftwareVariant
from core.errors import PortalError
from core.ratelimits import RateLimited, rate_limit_check
from csp_portal.tenancy import partner_scope
from customers.selectors import customer_get_or_404
from orders.models import OrderLine
from partners.access import public, requires
from partners.models import Partner
from partners.roles import Action, user_can

from . import downloads, services
from .delivery import file_response, resumes
from .forms import VariantForm
from .selectors import software_rows


@requires(Action.VIEW_CUSTOMERS)
def customer_software_view(request, customer_id):
    customer = customer_get_or_404(customer_id)
    rows = software_rows(customer=customer)
    chosen = VariantForm(request.GET) if "purchase" in request.GET else None
    chosen_purchase = request.GET.get("purchase", "")
    return render(
        request,
        "software/customer_software.html",
        {
            "customer": customer,
            "rows": rows,
            "active_tab": "software",
            "can_cancel": user_can(request.user, Action.CANCEL_PURCHASE),
            "chosen": chosen.cleaned_data if chosen is not None and chosen.is_valid() else None,
            "chosen_purchase": chosen_purchase,
        },
    )


@requires(Action.GET_KEYS_AND_DOWNLOADS)
@require_POST
def keys_and_downloads_view(request, customer_id, purchase_id):
    customer = customer_get_or_404(customer_id)
    if not OrderLine.objects.filter(pk=purchase_id, customer=customer).exists():
        raise Http404(_("Purchase not found."))
    form = VariantForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "software/keys_refused.html",
            {"customer": customer, "message": _("Choose a version, a language and a file type.")},
            status=400,
        )
    try:
        rate_limit_check(
            request, group="key-reveal", key="user", rate=settings.KEY_REVEAL_RATE, increment=True
        )
        result = services.keys_and_downloads_get(
            partner=request.user.partner,
            actor=request.user,
            purchase_id=purchase_id,
            base_url=request.build_absolute_uri("/"),
            **form.cleaned_data,
        )
    except RateLimited as error:
        response = render(
            request,
            "software/keys_refused.html",
            {"customer": customer, "message": error.message},
            status=429,
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    except PortalError as error:
        return render(
            request,
            "software/keys_refused.html",
            {"customer": customer, "message": error.message},
            status=error.status,
        )
    response = render(
        request,
        "software/keys_and_downloads.html",
        {"customer": customer, "result": result, "active_tab": "software"},
    )
    # The page carries a working link and the keys: never from a cache, never to a referrer.
    response["Cache-Control"] = "no-store"
    return response


def _dead_link(request, *, state: str | None, status: int = 410) -> HttpResponse:
    return render(request, "software/link_dead.html", {"state": state}, status=status)


@public
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD"])
def download_view(request, token: str):
    try:
        rate_limit_check(
            request,
            group="bad-download-token",
            key="ip",
            rate=settings.BAD_DOWNLOAD_TOKEN_RATE,
            increment=False,
        )
    except RateLimited as error:
        response = HttpResponse(error.message, status=429, content_type="text/plain")
        response["Retry-After"] = str(error.retry_after)
        return response
    if not downloads.is_well_formed(token):
        rate_limit_check_quietly(request)
        return _dead_link(request, state=None, status=404)
    now = timezone.now()
    head = request.method == "HEAD"
    resuming = not head and resumes(request.headers.get("Range", ""))
    counts = not head and not resuming
    with transaction.atomic():
        if counts:
            claim = downloads.download_count(token=token, at=now)
        else:
            claim = downloads.download_peek(token=token, at=now, resuming=resuming)
        if claim is None:
            state = downloads.dead_link_state(token=token, at=now)
            if state is None:
                rate_limit_check_quietly(request)
            return _dead_link(request, state=state)
        partner = Partner.objects.get(pk=claim.partner_id)
        with partner_scope(partner):
            purchase = OrderLine.objects.select_related("customer").get(pk=claim.purchase_id)
            variant = SoftwareVariant.objects.get(pk=claim.variant_id)
            if counts:
                _record_download(
                    request,
                    partner=partner,
                    purchase=purchase,
                    variant=variant,
                    link_id=claim.link_id,
                )
    if head:
        response = HttpResponse(content_type="application/octet-stream")
        response["Content-Length"] = str(variant.size_bytes)
        response["Accept-Ranges"] = "bytes"
        return response
    return file_response(request, variant)


def rate_limit_check_quietly(request) -> None:
    """Count a guess against the caller's IP; the refusal comes on the next request."""
    with contextlib.suppress(RateLimited):
        rate_limit_check(
            request,
            group="bad-download-token",
            key="ip",
            rate=settings.BAD_DOWNLOAD_TOKEN_RATE,
            increment=True,
        )


def _record_download(request, *, partner, purchase, variant, link_id: int) -> None:
    user = request.user
    actor = user if user.is_authenticated and user.partner_id == partner.pk else None
    event_record(
        partner=partner,
        actor=actor,
        actor_email=actor.email if actor else "",
        operation=OperationType.SOFTWARE_DOWNLOAD,
        resource_type=ResourceType.SOFTWARE,
        customer=purchase.customer,
        object_id=str(link_id),
        details={
            "productTitle": purchase.product_title,
            "orderId": str(purchase.order_id),
            "version": variant.version,
            "language": variant.language,
            "fileType": variant.file_type,
        },
    )
