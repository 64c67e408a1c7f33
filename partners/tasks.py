from celery import shared_task

from .services import invitation_send


@shared_task(
    name="partners.invitation_send",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def invitation_send_task(*, user_id: int, base_url: str) -> None:
    invitation_send(user_id=user_id, base_url=base_url)
