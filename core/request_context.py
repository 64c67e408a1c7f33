"""Where a piece of work came from (IP, user agent, correlation ids), for activity events."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token
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


def request_context_set(context: RequestContext) -> Token:
    """Enter a context until request_context_reset(token), for hooks that cannot use `with`."""
    return _context.set(context)


def request_context_reset(token: Token) -> None:
    _context.reset(token)


@contextlib.contextmanager
def request_context(context: RequestContext) -> Iterator[None]:
    token = _context.set(context)
    try:
        yield
    finally:
        _context.reset(token)
