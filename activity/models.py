from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from csp_portal.tenancy import PartnerScopedManager, PartnerScopedQuerySet


class OperationType(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign-in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Sign-out")
    INVITE_PARTNER_USER = "invite_partner_user", _("User invited")
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
    CANCEL_ORDER = "cancel_order", _("Cancellation requested")
    COMPLETE_CANCELLATION = "complete_cancellation", _("Cancellation completed")
    CREATE_CREDIT = "create_credit", _("Credit booked")
    CREATE_SERVICE_REQUEST = "create_service_request", _("Support request filed")
    UPDATE_SERVICE_REQUEST = "update_service_request", _("Support request updated")
    EXPORT_ACTIVITY_LOG = "export_activity_log", _("Activity log exported")


class ResourceType(models.TextChoices):
    USER = "user", _("User")
    API_TOKEN = "api_token", _("API token")
    CUSTOMER = "customer", _("Customer")
    ORDER = "order", _("Order")
    SOFTWARE = "software", _("Software")
    INVOICE = "invoice", _("Invoice")
    SERVICE_REQUEST = "service_request", _("Support request")
    ACTIVITY_LOG = "activity_log", _("Activity log")


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

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=False)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
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
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=100, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = EventManager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-occurred_at"], name="activity_partner_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.operation_type} {self.actor_email}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Activity events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Activity events cannot be deleted.")
