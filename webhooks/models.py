"""Partners' webhook endpoints, the deliveries owed to them and every attempt at one.

A Delivery is the outbox row of one event for one endpoint: written in the transaction of the
change it tells of, delivered at least once after commit, with the same webhook-id on every
attempt and redelivery. Due times live on the row (`next_attempt_at`), so the sweep finds what
the after-commit task did not deliver.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tenancy import PartnerScopedManager


class EventType(models.TextChoices):
    ORDER_CREATED = "order.created", _("Order created")
    PURCHASE_CANCELLATION_REQUESTED = (
        "purchase.cancellationRequested", _("Purchase cancellation requested")
    )
    PURCHASE_CANCELLED = "purchase.cancelled", _("Purchase cancelled")
    CREDIT_BOOKED = "credit.booked", _("Credit booked")
    DOWNLOAD_LINK_ISSUED = "downloadLink.issued", _("Download link issued")
    INVOICE_ISSUED = "invoice.issued", _("Invoice issued")
    SERVICE_REQUEST_STATUS_CHANGED = (
        "serviceRequest.statusChanged", _("Service request status changed")
    )


class Endpoint(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    # Fernet tokens (core.crypto); the secret itself is shown once, when made.
    secret_encrypted = models.TextField()
    # After a rotation the old secret still signs until it expires, so receivers can switch over.
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The first failed attempt since the last success; disabling counts from here.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None


class Delivery(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The Standard Webhooks message id: one per event and endpoint, the same on every attempt.
    webhook_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=50, choices=EventType.choices)
    # The JSON body as sent: {"type", "timestamp", "data"}, taken when the change committed.
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    # When the next attempt is due; null once delivered or given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A sender holds the row until then; a sender that died lets it go when the time passes.
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's queue: only rows still owed, however many were delivered.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(next_attempt_at__isnull=False),
                name="webhooks_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"

    @property
    def status(self) -> str:
        if self.delivered_at and self.next_attempt_at is None:
            return "delivered"
        if self.abandoned_at and self.next_attempt_at is None:
            return "failed"
        return "pending"


class AttemptStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Attempt(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=AttemptStatus.choices)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.status}"
