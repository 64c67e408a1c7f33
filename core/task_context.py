"""The request's correlation ids travel with the tasks it enqueues, so that the worker's log
lines and activity events for that work carry the MS-CorrelationId of the request behind it."""

from __future__ import annotations

from contextvars import Token

from .request_context import (
    RequestContext,
    current_request_context,
    request_context_reset,
    request_context_set,
)

CORRELATION_HEADER = "portal_correlation_id"
REQUEST_HEADER = "portal_request_id"
# task id -> the token that restores the context the task body started from.
_entered: dict[str, Token] = {}


def correlation_headers_add(headers: dict | None = None, **_kwargs) -> None:
    """Celery's before_task_publish: copy the current ids into the message's headers."""
    context = current_request_context()
    if headers is not None and context.correlation_id:
        headers[CORRELATION_HEADER] = context.correlation_id
        headers[REQUEST_HEADER] = context.request_id


def task_context_enter(task_id: str | None = None, task=None, **_kwargs) -> None:
    """Celery's task_prerun: run the body under the ids of the request that caused it."""
    if task_id is None or task is None:
        return
    request = task.request
    _entered[task_id] = request_context_set(
        RequestContext(
            correlation_id=getattr(request, CORRELATION_HEADER, None) or "",
            request_id=getattr(request, REQUEST_HEADER, None) or "",
        )
    )


def task_context_exit(task_id: str | None = None, **_kwargs) -> None:
    """Celery's task_postrun: leave the task's context."""
    token = _entered.pop(task_id, None) if task_id is not None else None
    if token is not None:
        request_context_reset(token)
