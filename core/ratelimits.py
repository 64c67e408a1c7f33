"""Rate limits on top of django-ratelimit, answering 429 with Retry-After."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from rest_framework.throttling import UserRateThrottle

from core.client_ip import rate_limit_ip
from core.errors import PortalError


class RateLimited(PortalError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def rate_limit_check(request, *, group: str, key: str, rate: str, increment: bool) -> None:
    """Raise RateLimited when the caller is over the rate; count this call when `increment`."""
    usage = get_usage(request, group=group, key=key, rate=rate, method=(None,),
                      increment=increment)
    if usage is not None and usage["should_limit"]:
        raise RateLimited(
            _("Too many requests. Try again in %(seconds)s seconds.")
            % {"seconds": usage["time_left"]},
            retry_after=max(1, int(usage["time_left"])),
        )


class PortalUserRateThrottle(UserRateThrottle):
    """DRF's per-user throttle, counting anonymous callers by the portal's client IP.

    DRF's own guess believes any X-Forwarded-For a client sends.
    """

    def get_ident(self, request) -> str:
        return rate_limit_ip(request)
