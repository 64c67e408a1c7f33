"""The base class of every task on one partner's data: the body runs in that partner's scope."""

from __future__ import annotations

from celery.contrib.django.task import DjangoTask

from core.tenancy import partner_scope

from .models import Partner


class PartnerTask(DjangoTask):
    """A task on one partner's data: pass `partner_id=`; the body runs in that scope."""

    abstract = True

    def __call__(self, *args, **kwargs):
        partner_id = kwargs.get("partner_id")
        if partner_id is None:
            raise TypeError(f"{self.name} is a partner task and needs partner_id=")
        partner = Partner.objects.get(pk=partner_id)
        with partner_scope(partner):
            return super().__call__(*args, **kwargs)
