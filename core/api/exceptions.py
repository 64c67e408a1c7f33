"""Every API error as RFC 9457 problem+json with a stable machine `code`."""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.error_responses import partner_center_code_of, retry_after_of, status_of
from core.errors import PortalError
from core.outages import RETRY_AFTER_SECONDS, outage_of

PROBLEM_CONTENT_TYPE = "application/problem+json"
_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ParseError: "malformed_request",
    exceptions.ValidationError: "validation_error",
}


def problem(
    *,
    status_code: int,
    code: str,
    detail: str,
    title: str | None = None,
    errors: list[dict] | None = None,
) -> dict:
    body = {
        "type": f"https://portal.example/problems/{code}",
        "title": title or _status_title(status_code),
        "status": status_code,
        "detail": detail,
        "code": code,
        # Partner Center calls the human text `description` (see the compatibility page).
        "description": detail,
    }
    partner_center_code = partner_center_code_of(code)
    if partner_center_code is not None:
        body["partnerCenterCode"] = partner_center_code
    if errors:
        body["errors"] = errors
    return body


def _status_title(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def _flatten_errors(data, prefix: str = "") -> list[dict]:
    if isinstance(data, dict):
        out = []
        for key, value in data.items():
            name = "" if key == "non_field_errors" else f"{prefix}{key}"
            out.extend(_flatten_errors(value, f"{name}." if name else ""))
        return out
    if isinstance(data, list):
        if all(not isinstance(item, dict | list) for item in data):
            field = prefix.rstrip(".") or None
            return [{"field": field, "detail": str(item)} for item in data]
        out = []
        for index, item in enumerate(data):
            out.extend(_flatten_errors(item, f"{prefix}{index}."))
        return out
    return [{"field": prefix.rstrip(".") or None, "detail": str(data)}]


def problem_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    outage = outage_of(exc)
    if outage is not None:
        return Response(
            problem(status_code=503, code=outage.code, detail=outage.detail),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            content_type=PROBLEM_CONTENT_TYPE,
        )

    if isinstance(exc, PortalError):
        status = status_of(exc)
        errors = [{"field": exc.field, "detail": exc.message}] if exc.field else None
        body = problem(status_code=status, code=exc.code, detail=exc.message, errors=errors)
        retry_after = retry_after_of(exc)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        set_rollback()
        return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)

    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    code = _CODES.get(type(exc)) or next(
        (value for cls, value in _CODES.items() if isinstance(exc, cls)), None
    )
    if code is None:
        code = exc.default_code if isinstance(exc.default_code, str) else "error"
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten_errors(exc.detail)
        detail = errors[0]["detail"] if len(errors) == 1 else _("The request has invalid fields.")
        body = problem(status_code=exc.status_code, code=code, detail=detail, errors=errors)
    else:
        body = problem(status_code=exc.status_code, code=code, detail=str(exc.detail))
    set_rollback()
    return Response(
        body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE
    )


def problem_response(*, status_code: int, code: str, detail: str) -> JsonResponse:
    """A problem+json answer outside DRF (unrouted /v1/ paths, server errors)."""
    return JsonResponse(
        problem(status_code=status_code, code=code, detail=detail),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )
