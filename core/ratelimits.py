"""Rate limits on top of django-ratelimit, answering 429 with Retry-After."""

from __future__ import annotations

import time

from django.core.cache import cache
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


def window_count(key: str, *, seconds: int, at: float) -> tuple[int, float]:
    """Count one call in the fixed window of `seconds` that `at` falls in; return the count so far
    and the seconds left in the window.

    One atomic increment when the window's counter exists (every call but the window's first);
    else an add, which of two first calls at once only one wins, the other incrementing.
    """
    start = at - at % seconds
    counter = f"ratelimit:{key}:{int(start)}"
    try:
        count = cache.incr(counter)
    except ValueError:  # the window's first call, or the cache unreachable (counts as first)
        count = 1 if cache.add(counter, 1, seconds + 1) else cache.incr(counter)
    return count, start + seconds - at


class PortalUserRateThrottle(UserRateThrottle):
    """DRF's per-user throttle on an atomic counter per window, anonymous callers by client IP.

    DRF's own throttle keeps a list of every request's time in the cache and writes it back whole:
    two requests at once both read the old list, so parallel callers get past the limit, and at a
    high limit each request reads and writes thousands of entries. An atomic increment per window
    costs the same at any limit and counts every request. DRF's own guess of the client's address
    believes any X-Forwarded-For a client sends.
    """

    def get_ident(self, request) -> str:
        return rate_limit_ip(request)

    def allow_request(self, request, view) -> bool:
        self.time_left = None
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        count, time_left = window_count(key, seconds=self.duration, at=time.time())
        if count <= self.num_requests:
            return True
        self.time_left = time_left
        return False

    def wait(self) -> int | None:
        return None if self.time_left is None else max(1, int(self.time_left))
