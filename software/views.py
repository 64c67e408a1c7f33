import contextlib
import functools

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.access import public, requires
from core.error_responses import status_of
from core.errors import PortalError
from core.metrics import DOWNLOADS_COUNTED, DOWNLOADS_REFUSED
from core.ratelimits import RateLimited, rate_limit_check
from core.roles import Action, user_can
from customers.selectors import customer_get
from orders.selectors import purchase_get

from . import services
from .delivery import file_response, head_response
from .forms import VariantForm
from .selectors import software_rows
from .tokens import token_is_well_formed


@requires(Action.VIEW_CUSTOMERS)
def customer_software_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
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
    customer = customer_get(customer_id=customer_id)
    purchase_get(customer=customer, purchase_id=purchase_id)
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
        result = services.keys_and_downloads_issue(
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
            status=status_of(error),
        )
    response = render(
        request,
        "software/keys_and_downloads.html",
        {"customer": customer, "result": result, "active_tab": "software"},
    )
    # The page carries a working link and the keys: never from a cache, never to a referrer.
    response["Cache-Control"] = "no-store"
    return response


def _dead_link(request, *, state: str | None, message: str, status: int = 410) -> HttpResponse:
    return render(
        request, "software/link_dead.html", {"state": state, "message": message}, status=status
    )


@public
@csrf_exempt
@never_cache
def download_view(request, token: str):
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(
            _("A download link answers GET and HEAD requests only."),
            status=405,
            content_type="text/plain; charset=utf-8",
        )
        response["Allow"] = "GET, HEAD"
        DOWNLOADS_REFUSED.labels(reason="method_not_allowed").inc()
        return response
    try:
        rate_limit_check(
            request,
            group="bad-download-token",
            key="ip",
            rate=settings.BAD_DOWNLOAD_TOKEN_RATE,
            increment=False,
        )
    except RateLimited as error:
        DOWNLOADS_REFUSED.labels(reason="rate_limited").inc()
        response = HttpResponse(error.message, status=429, content_type="text/plain")
        response["Retry-After"] = str(error.retry_after)
        return response
    if not token_is_well_formed(token):
        DOWNLOADS_REFUSED.labels(reason="unknown").inc()
        rate_limit_check_quietly(request)
        error = services.DownloadRefused(None)
        return _dead_link(request, state=None, message=error.message, status=404)
    try:
        grant = services.download_link_consume(
            token=token,
            method=request.method,
            range_header=request.headers.get("Range", ""),
            if_range=request.headers.get("If-Range", ""),
            actor=request.user,
        )
    except services.RangeNotSatisfiable as error:
        DOWNLOADS_REFUSED.labels(reason="range_not_satisfiable").inc()
        response = HttpResponse(
            error.message, status=416, content_type="text/plain; charset=utf-8"
        )
        response["Content-Range"] = f"bytes */{error.size}"
        return response
    except services.DownloadRefused as error:
        DOWNLOADS_REFUSED.labels(reason=error.state or "unknown").inc()
        if error.state is None:
            rate_limit_check_quietly(request)
        return _dead_link(request, state=error.state, message=error.message)
    if grant.counted:  # committed by now
        DOWNLOADS_COUNTED.inc()
    if request.method == "HEAD":
        return head_response(grant.variant)
    return file_response(
        variant=grant.variant,
        byte_range=grant.byte_range,
        give_back=functools.partial(
            services.download_release, link_id=grant.link_id, download_id=grant.download_id
        ),
    )


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
