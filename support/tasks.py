from celery import shared_task

from csp_portal.celery import PartnerTask

from .notifications import status_change_notify


@shared_task(
    base=PartnerTask,
    name="support.status_change_notify",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def status_change_notify_task(*, partner_id: int, note_id: int) -> None:
    status_change_notify(note_id=note_id)
