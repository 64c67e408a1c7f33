from celery import shared_task
from django.utils import timezone

from .sweeps import download_links_mark_expired


@shared_task(name="software.download_links_expire", acks_late=True, ignore_result=True)
def download_links_expire_task() -> int:
    return download_links_mark_expired(at=timezone.now())
