"""Where a `next` (or any caller-supplied) URL may send the browser: this site, nowhere else."""

from __future__ import annotations

from urllib.parse import unquote

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

# A path on this site, or this site's own absolute URL; never a relative path or another scheme.
_ALLOWED_STARTS = ("/", "https://", "http://")


def _stays_here(request, url: str) -> bool:
    return url.startswith(_ALLOWED_STARTS) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def url_is_safe(request, url: str | None) -> bool:
    """Tell whether `url` leads to this site only, so that redirecting to it is no open redirect."""
    if not url or any(character.isspace() or not character.isprintable() for character in url):
        # Browsers drop tabs and line breaks inside URLs ("/\t/evil.example" is "//evil.example"),
        # and a line break in a Location header would fail the response.
        return False
    # Decoded once as well: whatever decodes the value again on its way (a proxy, a second
    # redirect through a `next` parameter) must not find "//evil.example" in it either.
    return _stays_here(request, url) and _stays_here(request, unquote(url))


def redirect_target(request, url: str | None, *, fallback: str) -> str:
    """Return `url` when it is safe, else `fallback` (a URL or a URL pattern name)."""
    return url if url_is_safe(request, url) else resolve_url(fallback)
