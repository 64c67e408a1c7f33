"""Outbound webhook requests that cannot be aimed inside the portal's network.

The host is resolved once and every address it resolves to must be public; the connection then
goes to the address that was checked (the Host header and TLS name carry the host), so a second
DNS answer cannot rebind it. Redirects are not followed, timeouts are short and only the first
bytes of the answer are read.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import PortalError

CONNECT_TIMEOUT_SECONDS = 3
TOTAL_TIMEOUT_SECONDS = 10
# Enough to log why a receiver refused; a receiver cannot make the worker read megabytes.
RESPONSE_BYTES_READ = 1024


class UrlRefused(PortalError):
    """The URL is not one the portal will send to."""

    code = "webhook_url_refused"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    duration_ms: int
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def address_is_public(address: str) -> bool:
    """Whether an IP address is one the internet routes (IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UrlRefused(
            _("The host %(host)s cannot be resolved.") % {"host": host}, field="url"
        ) from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def target_resolve(url: str) -> Target:
    """Check the URL and resolve its host to an address the portal may connect to."""
    parts = urlsplit(url.strip())
    allowed = ("https", "http") if settings.PORTAL_WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise UrlRefused(_("The URL must start with https://."), field="url")
    if not parts.hostname or parts.username or parts.password:
        raise UrlRefused(_("The URL needs a host name and no user name or password."), field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UrlRefused(
            _("The URL's port is not a number from 1 to 65535."), field="url"
        ) from error
    addresses = _resolve(parts.hostname, port)
    # Every answer must be public: with one private among them, a retry could land inside.
    if not settings.PORTAL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS and not (
        addresses and all(address_is_public(a) for a in addresses)
    ):
        raise UrlRefused(
            _("The URL points into a private, loopback, link-local or reserved network; "
              "webhooks go to public addresses only."),
            field="url",
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=parts.scheme, host=parts.hostname, port=port, path=path, address=addresses[0]
    )


def _pool(target: Target, timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
    options = {"port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address, server_hostname=target.host, assert_hostname=target.host, **options
        )
    return urllib3.HTTPConnectionPool(target.address, **options)


def webhook_post(*, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST the body to the URL's checked address and tell how the receiver answered."""
    started = time.monotonic()

    def answer(status_code: int | None, error: str = "") -> Answer:
        return Answer(status_code, int((time.monotonic() - started) * 1000), error[:300])

    try:
        target = target_resolve(url)
    except UrlRefused as refused:
        return answer(None, refused.message)
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    timeout = urllib3.Timeout(total=TOTAL_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS)
    pool = _pool(target, timeout)
    try:
        response = pool.urlopen(
            "POST", target.path, body=body,
            headers={**headers, "Host": host_header, "Content-Type": "application/json",
                     "User-Agent": "csp-portal-webhooks/1"},
            redirect=False, preload_content=False, assert_same_host=False,
        )
        try:
            response.read(RESPONSE_BYTES_READ)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        return answer(None, f"{error.__class__.__name__}: {error}")
    finally:
        pool.close()
    status = response.status
    return answer(status, "" if 200 <= status < 300 else f"HTTP {status}")
