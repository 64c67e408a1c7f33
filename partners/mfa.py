"""MFA before keys: with the setting on, an Admin agent without TOTP is sent to enrol first."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from core.redirects import url_is_safe

from .roles import Role

# Paths an Admin agent without TOTP may still reach: enrolment itself and leaving.
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/invitation/", "/downloads/")


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_must_enrol_mfa(user) -> bool:
    return (
        settings.PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS
        and user.is_authenticated
        and user.has_role(Role.ADMIN_AGENT)
        and not user_has_totp(user)
    )


class AdminAgentMfaMiddleware:
    """Keys are reachable from anywhere an Admin agent goes, so the whole portal is gated."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            not path.startswith(_EXEMPT_PREFIXES)
            and not path.startswith("/v1/")
            and user_must_enrol_mfa(request.user)
        ):
            enrol = reverse("mfa_activate_totp")
            if url_is_safe(request, path):
                enrol = f"{enrol}?{urlencode({'next': path}, safe='/')}"
            return redirect(enrol)
        return self.get_response(request)
