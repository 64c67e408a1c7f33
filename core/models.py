from django.db import models


class Heartbeat(models.Model):
    """The last time a background process proved it was alive (read by /healthz)."""

    name = models.CharField(max_length=50, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
