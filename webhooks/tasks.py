from celery import shared_task
from django.utils import timezone

from partners.task_base import PartnerTask

from .delivery import delivery_send
from .sweeps import deliveries_sweep


# No Celery retries: a failed attempt sets the row's next_attempt_at and the sweep tries again.
@shared_task(base=PartnerTask, name="webhooks.delivery_send", acks_late=True, ignore_result=True)
def delivery_send_task(*, partner_id: int, delivery_id: int) -> bool:
    return delivery_send(delivery_id=delivery_id)


@shared_task(name="webhooks.deliveries_sweep", acks_late=True, ignore_result=True)
def deliveries_sweep_task() -> int:
    return deliveries_sweep(at=timezone.now())
