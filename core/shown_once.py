"""Secrets a page shows once, carried across a redirect so that a reload cannot create another.

A form that creates a secret (an API token, a webhook endpoint's signing secret) answers with a
redirect (Post/Redirect/Get): reloading the page that shows the secret repeats a GET, never the
POST. The secret rides in the server-side session for that one redirect and is gone once shown.
"""

_SESSION_KEY = "shown_once"


def shown_once_keep(request, *, name: str, value: dict) -> None:
    """Keep a value for the next page that asks for it by name."""
    kept = request.session.get(_SESSION_KEY, {})
    kept[name] = value
    request.session[_SESSION_KEY] = kept


def shown_once_take(request, *, name: str) -> dict | None:
    """Return the value kept under the name and forget it, or None when there is none."""
    kept = request.session.get(_SESSION_KEY)
    if not kept or name not in kept:
        return None
    value = kept.pop(name)
    request.session[_SESSION_KEY] = kept
    return value
