from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from .models import Event


def event_list(*, start: datetime, end: datetime) -> QuerySet[Event]:
    """The current partner's events in [start, end), newest first."""
    return Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end).order_by(
        "-occurred_at", "-id"
    )
