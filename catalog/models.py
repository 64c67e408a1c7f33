"""Markets, the catalogue (product → SKU → availability per market → price periods), market
exclusions and downloadable software variants (SPEC §2)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import is_currency
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .querysets import MarketExclusionQuerySet, PriceQuerySet, ProductQuerySet

CURRENCY_CODE_LENGTH = 3
# Partner Center ids: 12 upper-case letters and digits for products and availabilities, 4 for SKUs.
PRODUCT_ID_PATTERN = r"[A-Z0-9]{12}"
SKU_ID_PATTERN = r"[A-Z0-9]{4}"
AVAILABILITY_ID_PATTERN = PRODUCT_ID_PATTERN
_ID_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXZ"  # no vowels: generated ids never spell words
# The source's rule: "You can cancel a software purchase within 60 days of the purchase date."
DEFAULT_CANCELLATION_WINDOW_DAYS = 60


def _currency_code_validator(value: str) -> None:
    if not is_currency(value):
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code."), params={"code": value},
            code="invalid_currency",
        )


def new_availability_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


class Market(models.Model):
    """A country the catalogue sells in: its currency, tax rate and how prices treat tax."""

    country = CountryField(_("country"), primary_key=True)
    currency_code = models.CharField(
        _("currency"), max_length=CURRENCY_CODE_LENGTH, validators=[_currency_code_validator]
    )
    tax_rate_percent = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("The standard rate of the tax charged on sales, e.g. 22.00 for Italy's VAT."),
    )
    prices_include_tax = models.BooleanField(
        _("prices include tax"), default=False,
        help_text=_("Catalogue prices in this market already include the tax (Australia, Brazil)."),
    )

    class Meta:
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tax_rate_percent__gte=0, tax_rate_percent__lte=100),
                name="market_tax_rate_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return str(self.country.name)


class ProductFamily(models.TextChoices):
    AZURE_RESERVATION = "azure_reservation", _("Azure reservations")
    SERVER_SUBSCRIPTION = "server_subscription", _("Server subscriptions")
    PERPETUAL_SOFTWARE = "perpetual_software", _("Perpetual software")
    SOFTWARE_PLAN = "software_plan", _("Software plans")


# Families whose purchases come with files to download (and so may carry software variants).
DOWNLOADABLE_FAMILIES = frozenset({ProductFamily.SERVER_SUBSCRIPTION,
                                   ProductFamily.PERPETUAL_SOFTWARE})


# The source: "At this time, you cannot cancel or exchange a SUSE or RedHat software plan."
# Software plans are those plans; the publisher catches one filed under another family. The
# pattern is read by Python and, in the check constraint below, by PostgreSQL and SQLite alike.
NEVER_CANCELLABLE_PUBLISHERS = r"^(suse|red ?hat)([^a-z]|$)"


def is_never_cancellable(*, family: str, publisher: str) -> bool:
    """Whether the family or publisher rules cancellation out (SUSE and Red Hat plans)."""
    return family == ProductFamily.SOFTWARE_PLAN or bool(
        re.match(NEVER_CANCELLABLE_PUBLISHERS, publisher.strip(), flags=re.IGNORECASE)
    )


@dataclass(frozen=True)
class CancellationPolicy:
    is_cancellable: bool
    window_days: int | None


class Product(models.Model):
    product_id = models.CharField(
        _("product id"), max_length=12, unique=True,
        validators=[RegexValidator(rf"^{PRODUCT_ID_PATTERN}$",
                                   _("Twelve upper-case letters or digits, e.g. DG7GMGF0DVT0."))],
    )
    title = models.CharField(_("title"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=100, default="Microsoft Corporation")
    description = models.TextField(_("description"), blank=True)
    family = models.CharField(_("family"), max_length=32, choices=ProductFamily.choices)
    issues_keys = models.BooleanField(
        _("issues activation keys"), default=False,
        help_text=_("Purchases come with activation keys shown by “Get keys and downloads”."),
    )
    is_cancellable = models.BooleanField(
        _("cancellable"), default=True,
        help_text=_("Clear for products that can be neither cancelled nor exchanged. Software "
                    "plans and SUSE or Red Hat products never can."),
    )
    cancellation_window_days = models.PositiveSmallIntegerField(
        _("cancellation window (days)"), default=DEFAULT_CANCELLATION_WINDOW_DAYS,
        validators=[MinValueValidator(1)],
        help_text=_("Days after the purchase during which it can be cancelled."),
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["title", "product_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product_id__regex=rf"^{PRODUCT_ID_PATTERN}$"),
                name="product_id_format",
            ),
            models.CheckConstraint(
                condition=models.Q(cancellation_window_days__gte=1),
                name="product_cancellation_window_positive",
            ),
            # Follows from the family and the publisher, so a new SUSE plan cannot be made
            # cancellable by mistake in the admin (the form shows this message).
            models.CheckConstraint(
                condition=models.Q(is_cancellable=False)
                | (~models.Q(family=ProductFamily.SOFTWARE_PLAN)
                   & ~models.Q(publisher__iregex=NEVER_CANCELLABLE_PUBLISHERS)),
                name="product_suse_and_red_hat_plans_not_cancellable",
                violation_error_message=_(
                    "Software plans and SUSE or Red Hat products can be neither cancelled nor "
                    "exchanged: clear “cancellable”."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.product_id})"

    @property
    def carries_hybrid_benefit_note(self) -> bool:
        """Azure reservations and Windows Server: where the source's Azure Hybrid Benefit note
        applies."""
        return (
            self.family == ProductFamily.AZURE_RESERVATION
            or "windows server" in self.title.casefold()
        )

    @property
    def cancellation_policy(self) -> CancellationPolicy:
        if not self.is_cancellable:
            return CancellationPolicy(is_cancellable=False, window_days=None)
        return CancellationPolicy(is_cancellable=True, window_days=self.cancellation_window_days)


class Term(models.TextChoices):
    """ISO 8601 durations, as Partner Center's `termDuration`; none for a perpetual licence."""

    NONE = "", _("Perpetual")
    ONE_YEAR = "P1Y", _("1 year")
    THREE_YEARS = "P3Y", _("3 years")


class Billing(models.TextChoices):
    ONE_TIME = "one_time", _("One-time")
    SUBSCRIPTION = "subscription", _("Subscription")


class Sku(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    sku_id = models.CharField(
        _("SKU id"), max_length=4,
        validators=[RegexValidator(rf"^{SKU_ID_PATTERN}$", _("Four upper-case letters or digits, "
                                                              "e.g. 0001."))],
    )
    title = models.CharField(_("title"), max_length=200)
    term = models.CharField(_("term"), max_length=3, choices=Term.choices, blank=True)
    billing = models.CharField(_("billing"), max_length=16, choices=Billing.choices)
    min_quantity = models.PositiveIntegerField(_("minimum quantity"), default=1)
    max_quantity = models.PositiveIntegerField(_("maximum quantity"), default=1000)

    class Meta:
        ordering = ["product", "sku_id"]
        verbose_name = _("SKU")
        constraints = [
            models.UniqueConstraint(fields=["product", "sku_id"], name="sku_id_unique_per_product"),
            models.CheckConstraint(
                condition=models.Q(sku_id__regex=rf"^{SKU_ID_PATTERN}$"), name="sku_id_format"
            ),
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=1, max_quantity__gte=models.F("min_quantity")),
                name="sku_quantity_range",
                violation_error_message=_("The quantities need 1 ≤ minimum ≤ maximum."),
            ),
            # A subscription runs for a term; only one-time purchases may be perpetual.
            models.CheckConstraint(
                condition=~models.Q(billing=Billing.SUBSCRIPTION, term=Term.NONE),
                name="sku_subscription_has_a_term",
                violation_error_message=_("A subscription needs a term (1 or 3 years)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.title} — {self.title}"


class Availability(models.Model):
    """A SKU offered in one market; its prices are the periods in `prices`."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="availabilities")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="availabilities")
    availability_id = models.CharField(
        _("availability id"), max_length=12, default=new_availability_id,
        validators=[RegexValidator(rf"^{AVAILABILITY_ID_PATTERN}$",
                                   _("Twelve upper-case letters or digits."))],
    )

    class Meta:
        ordering = ["sku", "market"]
        verbose_name_plural = _("availabilities")
        constraints = [
            models.UniqueConstraint(fields=["sku", "market"], name="availability_one_per_market"),
            models.UniqueConstraint(
                fields=["sku", "availability_id"], name="availability_id_unique_per_sku"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} — {self.market}"

    @property
    def catalog_item_id(self) -> str:
        """Partner Center's `catalogItemId`, the `offerId` an order line names."""
        return f"{self.sku.product.product_id}:{self.sku.sku_id}:{self.availability_id}"


class Price(models.Model):
    """The unit price of an availability over [valid_from, valid_to): periods never overlap."""

    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="prices")
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=4, validators=[MinValueValidator(0)]
    )
    currency_code = models.CharField(
        _("currency"), max_length=CURRENCY_CODE_LENGTH, validators=[_currency_code_validator]
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(
        _("valid until"), null=True, blank=True,
        help_text=_("Exclusive: the price no longer applies at this moment. Empty: until further "
                    "notice."),
    )

    objects = PriceQuerySet.as_manager()

    class Meta:
        ordering = ["availability", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="price_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from"))
                ),
                name="price_period_not_empty",
                violation_error_message=_("“Valid until” must come after “valid from”."),
            ),
            # Overlaps are refused here (clean) and, on PostgreSQL, by an exclusion constraint
            # that migration 0004 adds (SQLite, the embedded default, has none).
        ]

    def __str__(self) -> str:
        return f"{self.unit_price} {self.currency_code} from {self.valid_from:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        try:
            availability = self.availability
        except ObjectDoesNotExist:
            return
        if availability.pk is None or self.valid_from is None:
            return
        overlapping = (
            Price.objects.filter(availability=availability)
            .overlapping(valid_from=self.valid_from, valid_to=self.valid_to)
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                _("This period overlaps the price %(other)s; end that one first."),
                params={"other": overlapping}, code="price_overlap",
            )


class MarketExclusion(models.Model):
    """A market where a whole family, or one product, is not sold."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="exclusions")
    family = models.CharField(
        _("family"), max_length=32, choices=ProductFamily.choices, blank=True
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="exclusions"
    )

    objects = MarketExclusionQuerySet.as_manager()

    class Meta:
        ordering = ["market", "family", "product"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (~models.Q(family="") & models.Q(product__isnull=True))
                    | (models.Q(family="") & models.Q(product__isnull=False))
                ),
                name="market_exclusion_family_xor_product",
                violation_error_message=_("Exclude either a family or a product, not both."),
            ),
            models.UniqueConstraint(
                fields=["market", "family"], condition=models.Q(product__isnull=True),
                name="market_exclusion_unique_family",
            ),
            models.UniqueConstraint(
                fields=["market", "product"], condition=models.Q(product__isnull=False),
                name="market_exclusion_unique_product",
            ),
        ]

    def __str__(self) -> str:
        what = self.product.title if self.product_id else self.get_family_display()
        return f"{what} — {self.market}"


def software_upload_to(variant: SoftwareVariant, filename: str) -> str:
    return f"software/{variant.product.product_id}/{filename}"


class SoftwareVariant(models.Model):
    """One downloadable file of a product: a version, a language and a file type or OS."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    version = models.CharField(_("version"), max_length=64)
    language = models.CharField(
        _("language"), max_length=16,
        validators=[RegexValidator(r"^[a-z]{2,3}(-[A-Z]{2})?$",
                                   _("A language tag such as en-US or it-IT."))],
    )
    file_type = models.CharField(_("file type/OS"), max_length=64)
    # Through the default storage: local files unless STORAGES names an S3-compatible backend.
    file = models.FileField(_("file"), upload_to=software_upload_to, max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)

    class Meta:
        ordering = ["product", "version", "language", "file_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version", "language", "file_type"],
                name="software_variant_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.title} {self.version} {self.language} {self.file_type}"

    def clean(self) -> None:
        if self.product_id is not None and self.product.family not in DOWNLOADABLE_FAMILIES:
            raise ValidationError(
                _("%(family)s have nothing to download."),
                params={"family": self.product.get_family_display()}, code="not_downloadable",
            )
