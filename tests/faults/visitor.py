"""A visitor of the portal's own web processes, signed in through the real sign-in pages."""

from __future__ import annotations

import time

import requests
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

# Generous for a loaded CI machine; a passing run waits only as long as the server needs.
TIMEOUT = 60


class Browser(requests.Session):
    """A visitor of one web process: Django's CSRF token is sent with each POST."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url

    def open(self, path: str, **data) -> requests.Response:
        if not data:
            return self.get(self.base_url + path, timeout=TIMEOUT)
        self.get(self.base_url + path, timeout=TIMEOUT)
        data["csrfmiddlewaretoken"] = self.cookies["csrftoken"]
        return self.post(self.base_url + path, data=data, timeout=TIMEOUT)


def sign_in(browser: Browser, email: str, password: str, secret: str | None = None) -> None:
    """Sign in with the password, and the TOTP step when the user has a secret."""
    signed_in = browser.open("/accounts/login/", login=email, password=password)
    if secret is not None:
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        signed_in = browser.open("/accounts/2fa/authenticate/", code=code)
    assert signed_in.status_code == 200 and "/accounts/" not in signed_in.url, signed_in.url
