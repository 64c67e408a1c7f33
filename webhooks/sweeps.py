"""The periodic sweep over every partner's deliveries (the escape hatch is allowed here).

It finds what the after-commit task did not deliver: deliveries written while the broker was
down, retries whose backoff has ended, and rows whose sender died mid-request (their claim
expired), and hands each to a worker. A row enqueued twice is sent once: the claim decides.
"""

from __future__ import annotations

from datetime import datetime

from core.background import task_enqueue

from .delivery import due_filter
from .models import Delivery

# Sending is the workers' job: the sweep only enqueues, so a slow receiver holds up no other.
SWEEP_BATCH_SIZE = 500


def deliveries_sweep(*, at: datetime, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Enqueue a send for every due delivery, oldest due first; return how many."""
    due = list(
        Delivery.objects.all_partners()
        .filter(due_filter(at))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "partner_id")[:batch_size]
    )
    for delivery_id, partner_id in due:
        task_enqueue("webhooks.delivery_send", partner_id=partner_id, delivery_id=delivery_id)
    return len(due)
