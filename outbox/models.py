"""Messages to deliver, written in the transaction of the change they tell of.

One row is one delivery (an e-mail to one address) for one event; the unique pair (event key,
recipient) means a retried change cannot queue a second one. A worker claims a row before it
delivers it, so two workers never both deliver it, and marks it sent afterwards.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tenancy import PartnerScopedManager


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")


class Message(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # What happened, as "<app>.<event>:<object id>": one event, one message per recipient.
    event_key = models.CharField(max_length=200)
    recipient = models.CharField(max_length=254)
    # What the channel delivers; for an e-mail {"subject": ..., "body": ...}, rendered when queued.
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    # When the sweep may deliver it: at once, and after a failed attempt when the backoff ends.
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Given up: every attempt failed, or a sender stopped without saying whether it delivered.
    abandoned_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="outbox_once_per_event_and_recipient"
            ),
        ]
        indexes = [
            # The sweep's queue: only rows still waiting, so it stays small however many were sent.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(sent_at__isnull=True, abandoned_at__isnull=True),
                name="outbox_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.recipient}"
