from __future__ import annotations

import os
import time
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tenancy import PartnerScopedManager, PartnerScopedQuerySet


class OperationType(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign-in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Sign-out")
    INVITE_PARTNER_USER = "invite_partner_user", _("User invited")
    RESEND_PARTNER_INVITATION = "resend_partner_invitation", _("Invitation sent again")
    WITHDRAW_PARTNER_INVITATION = "withdraw_partner_invitation", _("Invitation withdrawn")
    ACCEPT_PARTNER_INVITATION = "accept_partner_invitation", _("Invitation accepted")
    UPDATE_PARTNER_USER = "update_partner_user", _("User roles changed")
    DEACTIVATE_PARTNER_USER = "deactivate_partner_user", _("User deactivated")
    CREATE_API_TOKEN = "create_api_token", _("API token created")
    REVOKE_API_TOKEN = "revoke_api_token", _("API token revoked")
    MFA_CHANGED = "mfa_changed", _("Multi-factor authentication changed")
    CREATE_CUSTOMER = "create_customer", _("Customer created")
    UPDATE_CUSTOMER = "update_customer", _("Customer updated")
    CREATE_ORDER = "create_order", _("Order placed")
    GET_SOFTWARE_KEY = "get_software_key", _("Software key accessed")
    GET_SOFTWARE_DOWNLOAD_LINK = "get_software_download_link", _("Download link issued")
    SOFTWARE_DOWNLOAD = "software_download", _("Software downloaded")
    SOFTWARE_DOWNLOAD_RESUMED = "software_download_resumed", _("Software download resumed")
    CANCEL_ORDER = "cancel_order", _("Cancellation requested")
    COMPLETE_CANCELLATION = "complete_cancellation", _("Cancellation completed")
    CREATE_CREDIT = "create_credit", _("Credit booked")
    CREATE_SERVICE_REQUEST = "create_service_request", _("Support request filed")
    UPDATE_SERVICE_REQUEST = "update_service_request", _("Support request updated")
    EXPORT_ACTIVITY_LOG = "export_activity_log", _("Activity log exported")
    ISSUE_INVOICE = "issue_invoice", _("Invoice issued")
    CREATE_WEBHOOK_ENDPOINT = "create_webhook_endpoint", _("Webhook endpoint registered")
    ROTATE_WEBHOOK_SECRET = "rotate_webhook_secret", _("Webhook secret rotated")
    ENABLE_WEBHOOK_ENDPOINT = "enable_webhook_endpoint", _("Webhook endpoint re-enabled")
    DELETE_WEBHOOK_ENDPOINT = "delete_webhook_endpoint", _("Webhook endpoint deleted")


# The activity log's preset "Key access and downloads": who accessed software keys or downloaded
# software, as the source document asks the log to show.
KEY_ACCESS_AND_DOWNLOADS = (
    OperationType.GET_SOFTWARE_KEY,
    OperationType.GET_SOFTWARE_DOWNLOAD_LINK,
    OperationType.SOFTWARE_DOWNLOAD,
)


# The `details` key naming the product an event is about (its title, as the customer bought it):
# the log's Product column and the CSV read it, so every feature records it under this key.
PRODUCT_TITLE_KEY = "productTitle"


class ResourceType(models.TextChoices):
    USER = "user", _("User")
    API_TOKEN = "api_token", _("API token")
    CUSTOMER = "customer", _("Customer")
    ORDER = "order", _("Order")
    SOFTWARE = "software", _("Software")
    INVOICE = "invoice", _("Invoice")
    SERVICE_REQUEST = "service_request", _("Support request")
    ACTIVITY_LOG = "activity_log", _("Activity log")
    WEBHOOK_ENDPOINT = "webhook_endpoint", _("Webhook endpoint")


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): the millisecond, then 74 random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10))
    # New events then land at the right edge of the primary key index instead of on a random
    # page of it, which keeps inserts cheap at tens of millions of rows.
    value = value & ~(0xF << 76) | 0x7 << 76
    value = value & ~(0x3 << 62) | 0x2 << 62
    return uuid.UUID(int=value)


class AppendOnlyError(RuntimeError):
    """Activity events are never changed or removed."""


class EventQuerySet(PartnerScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Activity events cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Activity events cannot be deleted.")


class EventManager(PartnerScopedManager.from_queryset(EventQuerySet)):
    pass


class Event(models.Model):
    """One append-only record of who did what, when and from where (SPEC §5)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=False)
    # No index of its own: every composite index below starts with the partner.
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    # Kept as written at the time: the user's address may change or the user may be removed.
    actor_email = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    correlation_id = models.CharField(max_length=100, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    operation_type = models.CharField(max_length=40, choices=OperationType.choices)
    operation_status = models.CharField(max_length=20, default="succeeded")
    resource_type = models.CharField(max_length=30, choices=ResourceType.choices)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )
    object_id = models.CharField(max_length=100, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = EventManager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # Every read is one partner's events in a time range, newest first, paged by
        # (occurred_at, id): a B-tree in that order stops after one page. The indexes ascend and
        # are read backwards: an append-only log inserts at their right edge, where PostgreSQL
        # fills leaf pages; a descending index takes every insert at its left edge and leaves
        # its pages half empty (twice the size). docs/benchmarks/README.md has the measurements.
        indexes = [
            models.Index(fields=["partner", "occurred_at", "id"], name="activity_partner_time"),
            models.Index(
                fields=["partner", "operation_type", "occurred_at", "id"],
                name="activity_partner_op_time",
            ),
            models.Index(
                fields=["partner", "occurred_at", "id"], name="activity_key_access_time",
                condition=models.Q(operation_type__in=KEY_ACCESS_AND_DOWNLOADS),
            ),
            models.Index(
                fields=["partner", "actor_email", "occurred_at", "id"],
                name="activity_partner_user_time",
            ),
            # Replaces the plain foreign-key index: a customer's events come back in page order.
            models.Index(
                fields=["customer", "occurred_at", "id"], name="activity_customer_time",
                condition=models.Q(customer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.operation_type} {self.actor_email}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Activity events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Activity events cannot be deleted.")

    @property
    def operation_label(self) -> str:
        # get_operation_type_display() rebuilds the whole choices map on every call: a page of
        # fifty rows spent more time there than in its query.
        try:
            return OperationType(self.operation_type).label
        except ValueError:
            return self.operation_type

    @property
    def product_title(self) -> str:
        if not isinstance(self.details, dict):
            return ""
        return str(self.details.get(PRODUCT_TITLE_KEY, ""))


class EventCount(models.Model):
    """How many events of one type a partner had in one quarter hour: the chart reads these.

    Kept by database triggers on every insert into the event table (migration 0006), in the
    inserting transaction, whichever code or bulk load writes the events. A quarter hour, because
    every time zone's offset is a whole number of quarter hours, so local days are sums of them.
    """

    pk = models.CompositePrimaryKey("partner", "bucket", "operation_type")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    bucket = models.DateTimeField()
    operation_type = models.CharField(max_length=40, choices=OperationType.choices)
    events = models.BigIntegerField()

    objects = PartnerScopedManager()

    class Meta:
        # The chart reads a range of quarter hours from this index alone (an index-only scan):
        # the table's rows for one partner lie scattered among every other partner's.
        indexes = [
            models.Index(fields=["partner", "bucket", "operation_type", "events"],
                         name="activity_count_partner_bucket"),
        ]

    def __str__(self) -> str:
        return f"{self.bucket:%Y-%m-%d %H:%M} {self.operation_type} {self.events}"
