"""The Celery app, and the task base class that sets the partner scope for a task's body."""

from __future__ import annotations

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import after_setup_logger, after_setup_task_logger

from core.logging import redact_handlers

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_portal.settings.dev")

app = Celery("csp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker swaps Django's log handlers for its own: they get the same secret redaction.
after_setup_logger.connect(redact_handlers, weak=False)
after_setup_task_logger.connect(redact_handlers, weak=False)


class PartnerTask(DjangoTask):
    """A task on one partner's data: pass `partner_id=`; the body runs in that scope."""

    abstract = True

    def __call__(self, *args, **kwargs):
        from csp_portal.tenancy import partner_scope
        from partners.models import Partner

        partner_id = kwargs.get("partner_id")
        if partner_id is None:
            raise TypeError(f"{self.name} is a partner task and needs partner_id=")
        partner = Partner.objects.get(pk=partner_id)
        with partner_scope(partner):
            return super().__call__(*args, **kwargs)
