from __future__ import annotations

import re

from django.db import models

from core.tenancy import PartnerScopedQuerySet

from .choices import IMPACT_RANK

# "SR-2026-000123", "sr-000123" or "123": the number's last part is the request's id.
_NUMBER = re.compile(r"^(?:SR-)?(?:[0-9]{4}-)?0*([0-9]{1,12})$", re.IGNORECASE)


class ServiceRequestQuerySet(PartnerScopedQuerySet):
    def with_status(self, statuses) -> ServiceRequestQuerySet:
        return self.filter(status__in=statuses)

    def matching(self, text: str) -> ServiceRequestQuerySet:
        """Requests found by their number or a word of their title."""
        text = text.strip()
        if not text:
            return self
        number = _NUMBER.match(text)
        if number:
            return self.filter(models.Q(pk=int(number.group(1))) | models.Q(title__icontains=text))
        return self.filter(title__icontains=text)

    def most_urgent_first(self) -> ServiceRequestQuerySet:
        """By impact, then oldest first: what has waited longest at the same impact comes next."""
        rank = models.Case(
            *(models.When(impact=value, then=models.Value(r)) for value, r in IMPACT_RANK.items()),
            output_field=models.IntegerField(),
        )
        return self.alias(impact_rank=rank).order_by("impact_rank", "created_at", "id")
