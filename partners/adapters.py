from allauth.account.adapter import DefaultAccountAdapter


class PortalAccountAdapter(DefaultAccountAdapter):
    """Users join by invitation from their partner's Global admin, never by open sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False
