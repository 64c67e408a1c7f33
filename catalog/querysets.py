"""Chainable catalogue filters, without side effects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import models


class ProductQuerySet(models.QuerySet):
    def in_families(self, families: Iterable[str]) -> ProductQuerySet:
        return self.filter(family__in=list(families))

    def matching(self, text: str) -> ProductQuerySet:
        """Products whose title contains the text (all of them for an empty text)."""
        text = text.strip()
        return self.filter(title__icontains=text) if text else self


class PriceQuerySet(models.QuerySet):
    def in_force(self, at: datetime) -> PriceQuerySet:
        """Prices whose half-open period [valid_from, valid_to) contains the moment."""
        return self.filter(valid_from__lte=at).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=at)
        )

    def overlapping(self, *, valid_from: datetime, valid_to: datetime | None) -> PriceQuerySet:
        """Prices whose period shares at least one moment with [valid_from, valid_to)."""
        overlapping = self.filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=valid_from)
        )
        return overlapping if valid_to is None else overlapping.filter(valid_from__lt=valid_to)


class MarketExclusionQuerySet(models.QuerySet):
    def applying_to(self, *, products: Iterable, market) -> MarketExclusionQuerySet:
        """Exclusions in the market that reach any of the products, by family or by name."""
        products = list(products)
        return self.filter(market=market).filter(
            models.Q(product__isnull=True, family__in={p.family for p in products})
            | models.Q(product__in=[p.pk for p in products])
        )
