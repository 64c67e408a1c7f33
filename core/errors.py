"""The portal's one family of domain errors: a stable code, a message for people, an HTTP status."""

from __future__ import annotations


class PortalError(Exception):
    code = "invalid_request"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
        self.status = status or self.status


class NotFound(PortalError):
    """Missing or another partner's object: the same answer, so nothing leaks that it exists."""

    code = "not_found"
    status = 404


class Conflict(PortalError):
    code = "conflict"
    status = 409


class RoleRequired(PortalError):
    code = "role_required"
    status = 403
