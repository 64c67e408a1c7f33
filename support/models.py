"""Support requests filed by partner staff and triaged by support staff (SPEC §3, §6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tenancy import PartnerScopedManager
from orders.models import MONEY

from .choices import TRANSITIONS, Impact, Status, SupportTopic
from .querysets import ServiceRequestQuerySet


class ServiceRequestManager(PartnerScopedManager.from_queryset(ServiceRequestQuerySet)):
    pass


class ServiceRequest(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("type of problem"), max_length=40, choices=SupportTopic.choices)
    impact = models.CharField(_("impact"), max_length=16, choices=Impact.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True,
        related_name="service_requests",
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purchase = models.ForeignKey(
        "orders.Purchase", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # As the partner named it (the cancellation dialog passes it), even when no line matched.
    product_title = models.CharField(_("product"), max_length=200, blank=True)
    refund_reason = models.TextField(_("refund reason"), blank=True)
    amount_requested = models.DecimalField(
        _("amount requested"), **MONEY, null=True, blank=True
    )
    currency_code = models.CharField(max_length=3, blank=True)
    approved_amount = models.DecimalField(_("approved amount"), **MONEY, null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    credit = models.OneToOneField(
        "orders.Credit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    # E.164 ("+390212345678"): one spelling per number, whatever the partner typed.
    contact_phone = models.CharField(_("contact phone"), max_length=16)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ServiceRequestManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A refund names what is refunded and how much; the triage relies on it.
            models.CheckConstraint(
                condition=~models.Q(topic=SupportTopic.CSP_PURCHASE_REFUND)
                | models.Q(
                    customer__isnull=False, order__isnull=False, amount_requested__isnull=False
                ),
                name="service_request_refund_names_its_order",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_requested__isnull=True)
                | models.Q(amount_requested__gt=0),
                name="service_request_amount_requested_positive",
            ),
            # The database holds the refund rule too: never more back than was asked for.
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | models.Q(
                    approved_amount__gt=0, approved_amount__lte=models.F("amount_requested")
                ),
                name="service_request_approved_within_requested",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="service_request_partner_time"),
            models.Index(fields=["status", "created_at"], name="service_request_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The number partners quote on the phone: SR-2026-000123 (the id, so unique)."""
        return f"SR-{self.created_at:%Y}-{self.pk:06d}"

    @property
    def is_refund(self) -> bool:
        return self.topic == SupportTopic.CSP_PURCHASE_REFUND

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


class ServiceRequestNote(models.Model):
    """One entry of the conversation: a note, a status change, or both."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_from_support = models.BooleanField(default=False)
    # Support staff talking among themselves: never shown to the partner, nor in its activity log.
    is_internal = models.BooleanField(default=False)
    text = models.TextField(blank=True)
    status_to = models.CharField(max_length=24, choices=Status.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_internal=False) | models.Q(is_from_support=True),
                name="service_request_note_internal_only_from_support",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_request_id}: {self.text[:40]}"


class Attachment(models.Model):
    """A file of a request, stored under a random name; `name` is only what downloads are called."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="attachments"
    )
    note = models.ForeignKey(
        ServiceRequestNote, on_delete=models.PROTECT, null=True, blank=True,
        related_name="attachments",
    )
    name = models.CharField(max_length=120)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
