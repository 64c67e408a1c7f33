from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context

from core.client_ip import rate_limit_ip
from core.redirects import url_is_safe


class PortalAccountAdapter(DefaultAccountAdapter):
    """Users join by invitation from their partner's Global admin, never by open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        # allauth's sign-in throttles count what the rest of the portal counts (core.client_ip).
        return rate_limit_ip(request)

    def is_safe_url(self, url) -> bool:
        return url_is_safe(context.request, url)
