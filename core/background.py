"""Enqueue a Celery task by its registered name, now or once the transaction commits.

A service enqueues its follow-up work through here instead of importing its app's tasks module,
which imports the services: the task's `name=` is the contract between them, and
tests/test_layers.py checks that every name enqueued here is a registered task.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def task_enqueue(name: str, *, countdown: float | None = None, **kwargs) -> None:
    """Send the task `name` with these keyword arguments now."""
    current_app.send_task(name, kwargs=kwargs, countdown=countdown)


def task_enqueue_on_commit(
    name: str, *, countdown: float | None = None, robust: bool = False, **kwargs
) -> None:
    """Send the task `name` with these keyword arguments once the transaction commits.

    `robust` keeps a broker outage from failing the request: only for work that a sweep or a
    reconciler finds again from the database.
    """
    transaction.on_commit(
        lambda: task_enqueue(name, countdown=countdown, **kwargs), robust=robust
    )
