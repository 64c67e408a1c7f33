"""The Content-Security-Policy header, built once per policy instead of on every response."""

from __future__ import annotations

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_PER_RESPONSE = (
    "_csp_config", "_csp_update", "_csp_replace",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)


@functools.cache
def _settings_headers() -> tuple[str, str]:
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def _policy_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_headers.cache_clear()


def _set(response, request, header: str, value: str, *, setting: str, exempt: str) -> None:
    prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
    if (
        value
        and header not in response
        and not getattr(response, exempt, False)
        and not request.path_info.startswith(tuple(prefixes))
    ):
        response[header] = value


class CachedPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware; a response with no nonce and no per-view policy gets the
    settings' headers, built once (they only change with the settings)."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        policy, report_only = _settings_headers()
        _set(response, request, HEADER, policy,
             setting="CONTENT_SECURITY_POLICY", exempt="_csp_exempt")
        _set(response, request, HEADER_REPORT_ONLY, report_only,
             setting="CONTENT_SECURITY_POLICY_REPORT_ONLY", exempt="_csp_exempt_ro")
        # As django-csp does: a nonce asked for after the header left is an error, not a gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
