"""The Celery app, and the task base class that sets the partner scope for a task's body."""

from __future__ import annotations

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_portal.settings.dev")

app = Celery("csp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
