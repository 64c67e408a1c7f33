from celery import shared_task
from django.utils import timezone

from partners.task_base import PartnerTask

from .services import message_send
from .sweeps import messages_sweep


# No retries here: a failed attempt is recorded on the row and the sweep tries it again.
@shared_task(base=PartnerTask, name="outbox.message_send", acks_late=True, ignore_result=True)
def message_send_task(*, partner_id: int, message_id: int) -> bool:
    return message_send(message_id=message_id)


@shared_task(name="outbox.messages_sweep", acks_late=True, ignore_result=True)
def messages_sweep_task() -> int:
    return messages_sweep(at=timezone.now())
