from __future__ import annotations

import re
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.utils import timezone, translation

from .client_ip import client_ip
from .languages import user_language
from .request_context import RequestContext, request_context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_SESSION_STARTED = "portal_session_started_at"
_SESSION_SEEN = "portal_session_seen_at"
# Refreshing the idle clock at most once a minute keeps a session write off most requests.
_SEEN_REFRESH_SECONDS = 60


def _header_id(request, header: str) -> str | None:
    value = request.headers.get(header, "")
    return value if _SAFE_ID.match(value) else None


class NulCharacterMiddleware:
    """Refuse a path or query string with a NUL character (400) before any view reads it.

    PostgreSQL text cannot hold NUL, so a "%00" in an id or a search box would otherwise reach the
    database and fail there. Forms and the API's serializers already refuse NUL in bodies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("A NUL character in the address.")
        return self.get_response(request)


class CorrelationIdMiddleware:
    """Accept or mint MS-CorrelationId / MS-RequestId, echo them, and attach them to events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _header_id(request, "MS-RequestId") or str(uuid.uuid4())
        # A request that names no correlation starts its own: its request id, one uuid4 minted.
        correlation_id = _header_id(request, "MS-CorrelationId") or request_id
        request.correlation_id = correlation_id
        request.request_id = request_id
        context = RequestContext(
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:512],
            correlation_id=correlation_id,
            request_id=request_id,
        )
        with request_context(context):
            response = self.get_response(request)
        response["MS-CorrelationId"] = correlation_id
        response["MS-RequestId"] = request_id
        return response


class SessionLifetimeMiddleware:
    """End sessions after SESSION_IDLE_TIMEOUT without a request and SESSION_ABSOLUTE_TIMEOUT."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            started = session.setdefault(_SESSION_STARTED, now)
            seen = session.get(_SESSION_SEEN, now)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - seen > idle or now - started > absolute:
                logout(request)
            elif now - seen >= _SEEN_REFRESH_SECONDS or _SESSION_SEEN not in session:
                session[_SESSION_SEEN] = now
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Use the signed-in user's language (chosen, else the browser's, else the partner's) and
    time zone; a visitor who is not signed in gets the browser's (LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            language = user_language(user, request=request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response
