"""TOTP where it is compulsory: Admin agents (they see keys) and operator staff (they see every
partner's support requests and approve refunds) must enrol before they reach anything else."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from core.redirects import url_is_safe

from .roles import Role

# Paths a user without compulsory TOTP may still reach: enrolment itself and leaving.
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/invitation/", "/downloads/")


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_is_operator_staff(user) -> bool:
    """Tell whether the user works for the portal's operator (support staff, admin site)."""
    return user.is_authenticated and (user.is_support_staff or user.is_staff)


def user_must_have_totp(user) -> bool:
    """Tell whether the settings make TOTP compulsory for this user."""
    if not user.is_authenticated:
        return False
    if settings.PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS and user.has_role(Role.ADMIN_AGENT):
        return True
    return settings.PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF and user_is_operator_staff(user)


def user_must_enrol_mfa(user) -> bool:
    return user_must_have_totp(user) and not user_has_totp(user)


def mfa_is_relaxed() -> bool:
    """Tell whether the demo lets some users in without compulsory TOTP (the banner says so)."""
    return not (
        settings.PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS
        and settings.PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF
    )


class MfaEnrolmentMiddleware:
    """Keys and every partner's requests are reachable from anywhere, so the whole portal (the
    admin site included) is gated; the API refuses on its own (core.api.permissions)."""

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
