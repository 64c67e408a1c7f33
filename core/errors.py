"""The portal's one family of domain errors: a stable code and a message for people.

Domain errors say what went wrong, never how HTTP answers it: core/error_responses.py maps each
kind to a status once, for the pages and the API alike.
"""

from __future__ import annotations


class PortalError(Exception):
    """A request the portal refuses; nothing was changed."""

    code = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field


class NotFound(PortalError):
    """Missing or another partner's object: the same answer, so nothing leaks that it exists."""

    code = "not_found"


class RoleRequired(PortalError):
    """The user's roles do not allow this."""

    code = "role_required"


class Conflict(PortalError):
    """The object's state does not allow this now (already cancelled, more than remains)."""

    code = "conflict"


class Gone(PortalError):
    """It existed and is no longer usable (an expired link or invitation)."""

    code = "gone"


class TooLarge(PortalError):
    """The upload is larger than the portal takes."""

    code = "too_large"


class Unavailable(PortalError):
    """A part the portal needs for this is down; try again shortly."""

    code = "unavailable"
