"""Monthly invoices: one per partner, month and currency, issued once and never changed.

Amounts on lines and invoices are signed (credits negative) and split the same way in every
market: `amount` is the part before tax, `tax_amount` the tax, `total` what the partner pays.
Where catalogue prices include tax (AU, BR) the amount is the price less the tax it contains, so
`amount + tax_amount = total` holds on every line, and the invoice's subtotal (the sum of the
lines' amounts) plus its tax is its total. Order.subtotal differs on purpose: it keeps the price
as the partner saw it, tax included in those markets.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.tenancy import PartnerScopedManager
from orders.models import MONEY

# SQLite keeps decimals as binary floats, so sums are compared within half of the smallest
# stored unit (MONEY has four places): exact on PostgreSQL, and true to the cent on both.
_HALF_UNIT = Decimal("0.00005")


def _sums_to(total: str, *parts: str) -> Q:
    expected = sum((F(part) for part in parts[1:]), F(parts[0]))
    return Q(**{f"{total}__gte": expected - _HALF_UNIT, f"{total}__lte": expected + _HALF_UNIT})


class LineKind(models.TextChoices):
    # Partner Center's charge types on invoice line items.
    CHARGE = "new", _("Charge")
    CANCEL_IMMEDIATE = "cancelImmediate", _("Cancellation credit")
    CUSTOMER_CREDIT = "customerCredit", _("Refund credit")


class InvoiceSequence(models.Model):
    """The partner's last invoice number. Its row lock serialises issuing for the partner, and the
    number moves in the transaction that issues, so a rolled-back issue leaves no gap."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_sequence = models.PositiveIntegerField(default=0)

    objects = PartnerScopedManager()

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.last_sequence}"


class Invoice(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("invoice number"), max_length=40)
    sequence = models.PositiveIntegerField()
    currency_code = models.CharField(max_length=3)
    period_start = models.DateField()
    period_end = models.DateField(help_text=_("The last day of the period, included."))
    issued_at = models.DateTimeField()
    due_date = models.DateField()
    # The document as issued: the partner's details and language at that moment.
    language = models.CharField(max_length=8)
    partner_name = models.CharField(max_length=200)
    partner_number = models.PositiveBigIntegerField()
    partner_country = models.CharField(max_length=2)
    charges_total = models.DecimalField(**MONEY)
    credits_total = models.DecimalField(**MONEY, help_text=_("Zero or negative."))
    subtotal = models.DecimalField(**MONEY, help_text=_("The lines' amounts before tax."))
    tax_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    # Set once, by the worker that renders the PDF; the file is then served unchanged.
    pdf_name = models.CharField(max_length=255, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            # The month close's guarantee: running it twice, or twice at once, issues one.
            models.UniqueConstraint(
                fields=["partner", "period_start", "currency_code"],
                name="invoice_one_per_partner_month_currency",
            ),
            models.UniqueConstraint(
                fields=["partner", "sequence"], name="invoice_sequence_unique_per_partner"
            ),
            models.UniqueConstraint(fields=["number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=_sums_to("total", "subtotal", "tax_total"),
                name="invoice_subtotal_plus_tax_is_total",
            ),
            models.CheckConstraint(
                condition=_sums_to("total", "charges_total", "credits_total"),
                name="invoice_charges_plus_credits_is_total",
            ),
            models.CheckConstraint(
                condition=Q(charges_total__gte=0, credits_total__lte=0),
                name="invoice_charges_and_credits_signs",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="invoice_period_order"
            ),
        ]
        indexes = [
            # The reconciler's sweep for issued invoices whose PDF was never rendered.
            models.Index(
                fields=["issued_at"], condition=Q(pdf_name=""), name="invoice_pdf_missing"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def has_pdf(self) -> bool:
        return bool(self.pdf_name)


class InvoiceLine(models.Model):
    """A charge or credit on an invoice, with what it showed frozen at issue.

    The same class, unsaved, is a line of the next invoice on the Unbilled page.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    currency_code = models.CharField(max_length=3)
    # What the line bills. One-to-one: a purchase is charged, and a credit given, exactly once.
    charge = models.OneToOneField(
        "orders.Purchase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_charge",
    )
    credit = models.OneToOneField(
        "orders.Credit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_line",
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A cancellation credit names the invoice that charged the cancelled purchase.
    original_invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    customer_name = models.CharField(max_length=200)
    customer_domain = models.CharField(max_length=255)
    customer_tenant_id = models.UUIDField()
    customer_country = models.CharField(max_length=2)
    customer_city = models.CharField(max_length=100, blank=True)
    # The market whose tax applies: the purchase's market, or the customer's for a refund.
    market = models.CharField(max_length=2)
    order_alternate_id = models.CharField(max_length=16, blank=True)
    catalog_item_id = models.CharField(max_length=40, blank=True)
    product_title = models.CharField(max_length=200, blank=True)
    sku_title = models.CharField(max_length=200, blank=True)
    term_duration = models.CharField(max_length=3, blank=True)
    quantity = models.PositiveIntegerField(null=True, blank=True)
    unit_price = models.DecimalField(**MONEY, null=True, blank=True)
    occurred_at = models.DateTimeField(
        help_text=_(
            "When the purchase was placed, the cancellation completed or the refund was approved."
        )
    )
    credit_reason_code = models.CharField(max_length=40, blank=True)
    service_request_id = models.BigIntegerField(null=True, blank=True)
    prices_include_tax = models.BooleanField()
    tax_rate_percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(**MONEY, help_text=_("Before tax; negative for credits."))
    tax_amount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["invoice", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "line_number"], name="invoice_line_number_unique"
            ),
            models.CheckConstraint(
                condition=_sums_to("total", "amount", "tax_amount"),
                name="invoice_line_amount_plus_tax_is_total",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="new", charge__isnull=False, credit__isnull=True, total__gte=0)
                    | Q(
                        kind__in=["cancelImmediate", "customerCredit"],
                        charge__isnull=True,
                        credit__isnull=False,
                        total__lte=0,
                    )
                ),
                name="invoice_line_charge_or_credit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.total} ({self.customer_name})"

    @property
    def is_credit(self) -> bool:
        return self.kind != LineKind.CHARGE
