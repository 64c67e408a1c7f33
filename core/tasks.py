from celery import shared_task

from .services import heartbeat_record


@shared_task(name="core.heartbeat_record", ignore_result=True, expires=60)
def heartbeat_record_task() -> None:
    heartbeat_record()
