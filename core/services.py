from django.utils import timezone

from .models import Heartbeat

WORKER_HEARTBEAT = "worker"


def heartbeat_record(*, name: str = WORKER_HEARTBEAT) -> None:
    """Stamp a process's heartbeat with the current time."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
