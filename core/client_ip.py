"""The client's IP address, decided once for the activity log and every rate limit.

PORTAL_TRUSTED_PROXY_COUNT says how many proxies of ours stand in front of the portal. Each of
them appends the address it was reached from to X-Forwarded-For, so the entry that many places
from the right was written by our outermost proxy: everything left of it is whatever the client
chose to send. With no proxy counted, only REMOTE_ADDR is believed.
"""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings

# "[2001:db8::1]:443" and "203.0.113.7:51000" carry a port, as some load balancers write them.
_BRACKETED = re.compile(r"^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$")
_IPV4_WITH_PORT = re.compile(r"^([0-9.]+):\d{1,5}$")
# The longest address with brackets and a port is 53 characters; longer is not one.
_MAX_ADDRESS_CHARS = 64
# Rate limits must count every request against some address, even one whose sender is unknown.
UNKNOWN_CLIENT_IP = "0.0.0.0"  # noqa: S104 - a bucket name, never bound


def ip_address_clean(value: str | None) -> str | None:
    """Return `value` as a normalised IP address, or None when it is not exactly one."""
    value = (value or "").strip()
    if not value or len(value) > _MAX_ADDRESS_CHARS:
        return None
    if match := _BRACKETED.match(value) or _IPV4_WITH_PORT.match(value):
        value = match.group(1)
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if getattr(address, "scope_id", None):
        # A link-local zone ("%eth0") names an interface of the sender, and PostgreSQL's inet
        # type refuses it.
        return None
    # One client reached over IPv4 and IPv4-mapped IPv6 is one address, in the log and the limits.
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_ip(request) -> str | None:
    """Return the client's address as our trusted proxies report it, or None when unknown."""
    proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
    if proxies == 0:
        return ip_address_clean(request.META.get("REMOTE_ADDR"))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded.strip():
        # Not through our proxies (a health probe on the private network): the peer is the client.
        return ip_address_clean(request.META.get("REMOTE_ADDR"))
    hops = forwarded.split(",")
    if len(hops) < proxies:
        # Fewer hops than proxies: the header did not come through all of them, so no entry in
        # it can be told from one the client wrote.
        return None
    return ip_address_clean(hops[-proxies])


def rate_limit_ip(request) -> str:
    """Return the address rate limits count against: the client's, else the nearest peer's."""
    return (
        client_ip(request)
        or ip_address_clean(request.META.get("REMOTE_ADDR"))
        or UNKNOWN_CLIENT_IP
    )
