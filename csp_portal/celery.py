"""The Celery app: configured from Django's settings, tasks found in every installed app."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    before_task_publish,
    task_postrun,
    task_prerun,
    worker_init,
)

from core.logging import redact_handlers
from core.metrics import task_finished, task_started, worker_metrics_serve
from core.task_context import correlation_headers_add, task_context_enter, task_context_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_portal.settings.dev")

app = Celery("csp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker swaps Django's log handlers for its own: they get the same secret redaction.
after_setup_logger.connect(redact_handlers, weak=False)
after_setup_task_logger.connect(redact_handlers, weak=False)
before_task_publish.connect(correlation_headers_add, weak=False)
task_prerun.connect(task_context_enter, weak=False)
task_postrun.connect(task_context_exit, weak=False)
task_prerun.connect(task_started, weak=False)
task_postrun.connect(task_finished, weak=False)
worker_init.connect(worker_metrics_serve, weak=False)

