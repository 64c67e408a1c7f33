"""Which language the portal speaks to someone: their choice, else their browser's, else their
partner's document language (SPEC §9, "Language")."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import language_code_re, parse_accept_lang_header


def browser_language(request) -> str | None:
    """The first language of the request's Accept-Language that the portal has, else None."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        if not language_code_re.search(code):
            continue
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def user_language(user, *, request=None) -> str:
    """The user's chosen language, else the browser's (on a request), else the partner's."""
    if user.language:
        return user.language
    if request is not None:
        chosen_by_browser = browser_language(request)
        if chosen_by_browser:
            return chosen_by_browser
    if user.partner_id is not None:
        return user.partner.language
    return settings.LANGUAGE_CODE
