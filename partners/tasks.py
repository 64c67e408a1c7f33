from celery import shared_task

from partners.task_base import PartnerTask

from .invitations import invitation_send


@shared_task(
    base=PartnerTask,
    name="partners.invitation_send",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def invitation_send_task(*, partner_id: int, invitation_id: int, base_url: str) -> None:
    invitation_send(invitation_id=invitation_id, base_url=base_url)
