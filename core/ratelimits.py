"""Rate limits: an atomic counter per caller and fixed window in the shared cache, answering 429
with Retry-After."""

from __future__ import annotations

import ipaddress
import re
import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework.throttling import UserRateThrottle

from core.client_ip import rate_limit_ip
from core.errors import PortalError


class RateLimited(PortalError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_IPV6_PREFIX = 64  # one subscriber's whole network counts as one caller, as django-ratelimit did


def rate_parse(rate: str) -> tuple[int, int]:
    """'20/m' → (20, 60); '5/10m' → (5, 600)."""
    match = _RATE.match(rate)
    if match is None:
        raise ImproperlyConfigured(f"A rate is calls/period, like 20/m or 5/10m: {rate!r}")
    calls, multiple, unit = match.groups()
    return int(calls), int(multiple or 1) * _UNIT_SECONDS[unit]


def _counted_address(request) -> str:
    address = rate_limit_ip(request)
    if ":" not in address:
        return address
    return str(ipaddress.ip_network(f"{address}/{_IPV6_PREFIX}", strict=False).network_address)


def _counter(key: str, *, seconds: int, at: float) -> tuple[str, float]:
    start = at - at % seconds
    return f"ratelimit:{key}:{int(start)}", start + seconds - at


def window_count(key: str, *, seconds: int, at: float) -> tuple[int, float]:
    """Count one call in the fixed window of `seconds` that `at` falls in; return the count so far
    and the seconds left in the window.

    One atomic increment when the window's counter exists (every call but the window's first);
    else an add, which of two first calls at once only one wins, the other incrementing.
    """
    counter, time_left = _counter(key, seconds=seconds, at=at)
    try:
        count = cache.incr(counter)
    except ValueError:  # the window's first call, or the cache unreachable (counts as first)
        count = 1 if cache.add(counter, 1, seconds + 1) else cache.incr(counter)
    return count, time_left


def window_peek(key: str, *, seconds: int, at: float) -> tuple[int, float]:
    """Return the calls counted so far in the window `at` falls in, and the seconds left in it."""
    counter, time_left = _counter(key, seconds=seconds, at=at)
    return cache.get(counter, 0), time_left


def rate_limit_check(request, *, group: str, key: str, rate: str, increment: bool) -> None:
    """Raise RateLimited when the caller is over the rate; count this call when `increment`.

    `key` is "ip" (the client's address, core.client_ip) or "user". One cache round trip: the
    checks sit on hot paths (every download), where django-ratelimit's add-then-read took two.
    """
    limit, seconds = rate_parse(rate)
    who = _counted_address(request) if key == "ip" else f"user:{request.user.pk}"
    measure = window_count if increment else window_peek
    count, time_left = measure(f"{group}:{who}", seconds=seconds, at=time.time())
    if count > limit:
        raise RateLimited(
            _("Too many requests. Try again in %(seconds)s seconds.")
            % {"seconds": int(time_left) + 1},
            retry_after=int(time_left) + 1,
        )


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
