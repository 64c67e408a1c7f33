"""Where a piece of work came from (IP, user agent, correlation ids), for activity events."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    correlation_id: str = ""
    request_id: str = ""


# RequestContext is a frozen dataclass, so one shared default instance cannot be mutated.
_context: ContextVar[RequestContext] = ContextVar(
    "request_context",
    default=RequestContext(),  # noqa: B039
)


def current_request_context() -> RequestContext:
    return _context.get()


@contextlib.contextmanager
def request_context(context: RequestContext) -> Iterator[None]:
    token = _context.set(context)
    try:
        yield
    finally:
        _context.reset(token)
