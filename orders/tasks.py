from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from partners.task_base import PartnerTask

from .reminders import cancellation_reminders_queue
from .services.cancellation import purchase_cancellation_complete
from .sweeps import cancellations_reconcile


@shared_task(
    base=PartnerTask,
    name="orders.purchase_cancellation_complete",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=8,
    ignore_result=True,
)
def purchase_cancellation_complete_task(*, partner_id: int, purchase_id: int) -> bool:
    return purchase_cancellation_complete(purchase_id=purchase_id)


@shared_task(name="orders.cancellations_reconcile", acks_late=True, ignore_result=True)
def cancellations_reconcile_task() -> int:
    return cancellations_reconcile(at=timezone.now())


@shared_task(name="orders.cancellation_reminders_queue", acks_late=True, ignore_result=True)
def cancellation_reminders_queue_task() -> int:
    return cancellation_reminders_queue(at=timezone.now())
