"""How a domain error becomes an HTTP answer: one table for the pages and the API.

The API (core/api/exceptions.py) answers problem+json with the status below; the pages
(ErrorPageMiddleware) answer the matching error page. A view that wants to say it differently,
on the same page as a form, catches the error itself.
"""

from __future__ import annotations

from django.shortcuts import render

from .errors import Conflict, Gone, NotFound, PortalError, RoleRequired, TooLarge, Unavailable
from .outages import RETRY_AFTER_SECONDS
from .ratelimits import RateLimited

_STATUS_OF: tuple[tuple[type[PortalError], int], ...] = (
    (NotFound, 404),
    (RoleRequired, 403),
    (Conflict, 409),
    (Gone, 410),
    (TooLarge, 413),
    (RateLimited, 429),
    (Unavailable, 503),
    (PortalError, 400),
)
# Partner Center's numeric error code (its REST reference, error-codes.md) for the portal's codes
# that have an equivalent there; answers carry it as `partnerCenterCode` beside the portal's `code`.
_PARTNER_CENTER_CODES = {
    "not_found": 1000,
    "role_required": 2032,
    "permission_denied": 2032,
    "not_authenticated": 800001,
    "authentication_failed": 400,
    "validation_error": 3000,
    "malformed_request": 800002,
    "invalid_request": 800002,
    "invalid_catalog_item": 800004,
    "market_unavailable": 800070,
    "not_priced_in_market": 800020,
    "quantity_out_of_range": 800017,
    "not_cancellable": 800061,
    "already_cancelled": 800061,
    "cancellation_window_passed": 900117,
    "invalid_tenant_id": 900118,
    "cart_checked_out": 800065,
    "server_error": 800003,
}
_PAGE_OF = {404: "404.html", 403: "403.html", 429: "429.html", 503: "503.html"}


def status_of(error: PortalError) -> int:
    """Return the HTTP status that answers a domain error."""
    return next(status for kind, status in _STATUS_OF if isinstance(error, kind))


def partner_center_code_of(code: str) -> int | None:
    """Return Partner Center's numeric error code for a portal error code, if it has one."""
    return _PARTNER_CENTER_CODES.get(code)


def retry_after_of(error: PortalError) -> int | None:
    """Return the seconds after which a refused request may be tried again, if it may."""
    if isinstance(error, RateLimited):
        return error.retry_after
    if isinstance(error, Unavailable):
        return RETRY_AFTER_SECONDS
    return None


class ErrorPageMiddleware:
    """Answer a domain error a page view let through with its error page (not under /v1/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PortalError) or request.path.startswith("/v1/"):
            return None
        status = status_of(exception)
        response = render(
            request,
            _PAGE_OF.get(status, "error.html"),
            {"message": exception.message, "detail": exception.message, "status": status},
            status=status,
        )
        retry_after = retry_after_of(exception)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
