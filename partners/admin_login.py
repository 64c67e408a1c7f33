"""The admin site's sign-in is allauth's: the same password check, TOTP step and throttling."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.views.decorators.cache import never_cache

from core.redirects import redirect_target


@never_cache
def admin_login_view(request, extra_context=None):
    """Send visitors to allauth's sign-in and signed-in operator staff on; never sign in here."""
    # Django's own admin login starts a session from a password alone, and a POST to it from
    # someone already signed in switches the session to another account.
    next_url = redirect_target(
        request, request.GET.get(REDIRECT_FIELD_NAME), fallback="admin:index"
    )
    if not request.user.is_authenticated:
        query = urlencode({REDIRECT_FIELD_NAME: next_url}, safe="/")
        return redirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied
    return redirect(next_url)
