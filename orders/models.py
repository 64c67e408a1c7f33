"""Orders and their lines; each line is one software purchase of the customer (SPEC §2)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tenancy import PartnerScopedManager

# No vowels or look-alikes (0/O, 1/I): read aloud over the phone without spelling mistakes.
_ALTERNATE_ID_ALPHABET = "23456789BCDFGHJKLMNPQRSTVWXZ"
ALTERNATE_ID_LENGTH = 10
MONEY = {"max_digits": 14, "decimal_places": 4}


def new_alternate_id() -> str:
    return "".join(secrets.choice(_ALTERNATE_ID_ALPHABET) for _ in range(ALTERNATE_ID_LENGTH))


class OrderStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    PENDING_CANCELLATION = "pendingCancellation", _("Pending cancellation")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PENDING_CANCELLATION = "pendingCancellation", _("Pending cancellation")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alternate_id = models.CharField(_("order number"), max_length=16, default=new_alternate_id)
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    currency_code = models.CharField(max_length=3)
    prices_include_tax = models.BooleanField()
    subtotal = models.DecimalField(**MONEY)
    tax_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    status = models.CharField(
        max_length=24, choices=OrderStatus.choices, default=OrderStatus.COMPLETED
    )

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "alternate_id"], name="order_alternate_id_unique_per_partner"
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "customer", "-placed_at"], name="order_customer_time"),
        ]

    def __str__(self) -> str:
        return f"{self.alternate_id} ({self.placed_at:%Y-%m-%d})"


class Purchase(models.Model):
    """One software purchase: what was bought, at what price and tax, for which term."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="purchases"
    )
    line_number = models.PositiveSmallIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    availability = models.ForeignKey(
        "catalog.Availability", on_delete=models.PROTECT, related_name="+"
    )
    # What the partner saw and agreed to at purchase, unchanged by later catalogue edits.
    catalog_item_id = models.CharField(max_length=40)
    product_title = models.CharField(max_length=200)
    sku_title = models.CharField(max_length=200)
    family = models.CharField(max_length=32)
    billing = models.CharField(max_length=16)
    term_duration = models.CharField(max_length=3, blank=True)
    quantity = models.PositiveIntegerField()
    currency_code = models.CharField(max_length=3)
    prices_include_tax = models.BooleanField()
    tax_rate_percent = models.DecimalField(max_digits=5, decimal_places=2)
    unit_price = models.DecimalField(**MONEY)
    extended_price = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    purchased_at = models.DateTimeField()
    term_start_at = models.DateTimeField(null=True, blank=True)
    term_end_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Exclusive: the subscription ends at this moment.")
    )
    # Whether the product came with activation keys when it was bought; software issues them.
    issues_keys = models.BooleanField(default=False)
    is_cancellable = models.BooleanField()
    cancellation_window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=24, choices=PurchaseStatus.choices, default=PurchaseStatus.ACTIVE
    )
    cancellation_requested_at = models.DateTimeField(null=True, blank=True)
    cancellation_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The due time lives on the row: the countdown task is the fast path, the reconciler the
    # guarantee when a task is lost.
    cancellation_complete_after = models.DateTimeField(null=True, blank=True)
    # The credit previewed when the cancellation was requested, tax included: it is what
    # completion books, so until then it is held and no refund may take it (orders.refundable).
    cancellation_credit_total = models.DecimalField(**MONEY, null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        # The table keeps the name it had as OrderLine: raw SQL and the credit trigger use it.
        db_table = "orders_orderline"
        ordering = ["order", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_number"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_line_qty"),
        ]
        indexes = [
            models.Index(
                fields=["partner", "customer", "-purchased_at"], name="purchase_customer_time"
            ),
            models.Index(
                fields=["cancellation_complete_after"],
                condition=models.Q(status="pendingCancellation"),
                name="purchase_cancellation_due",
            ),
            # Purchases whose window is still open, by time: the dashboard and the reminders
            # look for the ones closing soon across all of a partner's customers.
            models.Index(
                fields=["partner", "purchased_at"],
                condition=models.Q(status="active", is_cancellable=True),
                name="purchase_window_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_title} ×{self.quantity} ({self.order_id})"

    @property
    def cancellable_until(self) -> datetime | None:
        """The end of the cancellation window, counted from the purchase time."""
        if not self.is_cancellable or self.cancellation_window_days is None:
            return None
        return self.purchased_at + timedelta(days=self.cancellation_window_days)


class IdempotencyRecord(models.Model):
    """The first answer to an order request, replayed byte for byte to a retry with the same key."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PartnerScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_per_partner"),
        ]

    def __str__(self) -> str:
        return self.key


class CreditKind(models.TextChoices):
    # Partner Center's invoice line names for the two ways money comes back.
    CANCEL_IMMEDIATE = "cancelImmediate", _("Cancellation credit")
    CUSTOMER_CREDIT = "customerCredit", _("Refund credit")


class Credit(models.Model):
    """Money owed back to the partner, booked for its next monthly invoice.

    Exactly once per cause: one cancellation credit per purchase, one refund credit per support
    request; the unique constraints hold even when two workers book at the same moment. Never
    more than was charged: a trigger (migration 0004) refuses a row that would take an order's
    or a purchase's credits past its total, whatever code inserts it.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=CreditKind.choices)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="credits")
    purchase = models.ForeignKey(
        Purchase, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    service_request_id = models.BigIntegerField(null=True, blank=True)
    reason_code = models.CharField(max_length=40)
    currency_code = models.CharField(max_length=3)
    prices_include_tax = models.BooleanField()
    tax_rate_percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(**MONEY, help_text=_("Before tax where tax is added."))
    tax_amount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    booked_at = models.DateTimeField(default=timezone.now)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["-booked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase"],
                condition=models.Q(kind="cancelImmediate"),
                name="credit_one_cancellation_per_purchase",
            ),
            models.UniqueConstraint(
                fields=["service_request_id"],
                condition=models.Q(kind="customerCredit"),
                name="credit_one_refund_per_service_request",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, tax_amount__gte=0, total__gte=0),
                name="credit_amounts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["partner", "booked_at"], name="credit_partner_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.total} {self.currency_code}"


class CartStatus(models.TextChoices):
    ACTIVE = "Active", _("Active")
    ORDERED = "Ordered", _("Ordered")


class Cart(models.Model):
    """Partner Center's cart: lines chosen for a customer, bought at once by its checkout.

    The lines are a JSON list of {"id", "catalogItemId", "quantity", "termDuration"}: a cart
    holds what was asked, and the order placed at checkout holds what was bought.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=CartStatus.choices, default=CartStatus.ACTIVE)
    lines = models.JSONField(default=list)
    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PartnerScopedManager()

    class Meta:
        indexes = [models.Index(fields=["partner", "customer"], name="cart_customer")]

    def __str__(self) -> str:
        return str(self.id)

    def is_expired(self, at: datetime) -> bool:
        return self.status == CartStatus.ACTIVE and at >= self.expires_at
