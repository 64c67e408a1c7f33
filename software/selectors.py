"""Reads for the Software page: purchases with the downloadable variants of their products."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from catalog.caching import catalog_cached
from catalog.models import SoftwareVariant
from orders.models import Purchase, PurchaseStatus
from orders.policy import Cancellation
from orders.selectors import purchase_cancellation_facts, purchase_list

from .models import DownloadLink


@dataclass
class VariantChoices:
    versions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    file_types: list[str] = field(default_factory=list)
    variants: list[SoftwareVariant] = field(default_factory=list)
    # The selects a page rendered from these choices, shared by the product's purchases
    # (csp_portal.templating.rendered_once).
    rendered: dict = field(default_factory=dict)

    def add(self, variant: SoftwareVariant) -> None:
        self.variants.append(variant)
        for values, value in (
            (self.versions, variant.version),
            (self.languages, variant.language),
            (self.file_types, variant.file_type),
        ):
            if value not in values:
                values.append(value)


@dataclass(frozen=True)
class SoftwareRow:
    purchase: Purchase
    choices: VariantChoices
    cancellation: Cancellation


def _variants_by_product() -> dict[int, list[SoftwareVariant]]:
    # The catalogue's, kept per process and catalogue version like its pages (catalog.caching):
    # the Software page read and built them again for every purchase list.
    def load() -> dict[int, list[SoftwareVariant]]:
        grouped: dict[int, list[SoftwareVariant]] = defaultdict(list)
        for variant in SoftwareVariant.objects.order_by("-version", "language", "file_type"):
            grouped[variant.product_id].append(variant)
        return dict(grouped)

    return catalog_cached(key=("software-variants",), load=load)


def software_rows(*, customer, at: datetime | None = None) -> list[SoftwareRow]:
    """Return every purchase of the customer with its product's variants and its cancellation facts.

    One query, one more for the credits when a purchase is still in its cancellation window
    (with the refund cap when such a one is an Azure reservation); the variants come from the
    catalogue's cache.
    """
    purchases = list(purchase_list(customer=customer))
    variants = _variants_by_product()
    by_product: dict[int, VariantChoices] = defaultdict(VariantChoices)
    for product_id in {p.product_id for p in purchases}:
        for variant in variants.get(product_id, ()):
            by_product[product_id].add(variant)
    cancellations = purchase_cancellation_facts(
        customer=customer, purchases=purchases, at=at or timezone.now()
    )
    return [
        SoftwareRow(
            purchase=p, choices=by_product[p.product_id], cancellation=cancellations[p.pk]
        )
        for p in purchases
    ]


def download_links_running_out(
    *, at: datetime, expire_within: timedelta, downloads_left: int
) -> QuerySet[DownloadLink]:
    """Return the live links that expire within the period or have few downloads left.

    Few is at most `downloads_left`; soonest first, with their purchase, customer and variant.
    A link lives only while its purchase is active.
    """
    live = DownloadLink.objects.filter(
        retired_at__isnull=True, purchase__status=PurchaseStatus.ACTIVE, expires_at__gt=at,
        download_count__lt=F("max_downloads"),
    )
    return (
        live.filter(
            Q(expires_at__lte=at + expire_within)
            | Q(download_count__gte=F("max_downloads") - downloads_left)
        )
        .select_related("purchase__customer", "purchase__order", "variant")
        .order_by("expires_at", "pk")
    )
