from allauth.account.adapter import DefaultAccountAdapter

from core.client_ip import rate_limit_ip


class PortalAccountAdapter(DefaultAccountAdapter):
    """Users join by invitation from their partner's Global admin, never by open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        # allauth's sign-in throttles count what the rest of the portal counts (core.client_ip).
        return rate_limit_ip(request)
