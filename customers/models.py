from __future__ import annotations

import uuid

from django.core.validators import DomainNameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.tenancy import PartnerScopedManager, PartnerScopedQuerySet


class CustomerQuerySet(PartnerScopedQuerySet):
    def matching(self, text: str) -> CustomerQuerySet:
        """Customers found by company name, tenant GUID or domain: the source's three ways."""
        text = text.strip()
        if not text:
            return self
        try:
            return self.filter(entra_tenant_id=uuid.UUID(text))
        except ValueError:
            pass
        return self.filter(
            models.Q(company_name__icontains=text) | models.Q(primary_domain__istartswith=text)
        )


class CustomerManager(PartnerScopedManager.from_queryset(CustomerQuerySet)):
    pass


class Customer(models.Model):
    """A partner's customer: a company with its own Microsoft Entra directory (tenant)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    entra_tenant_id = models.UUIDField(_("tenant ID"))
    company_name = models.CharField(_("company name"), max_length=200)
    primary_domain = models.CharField(
        _("primary domain"),
        max_length=255,
        validators=[DomainNameValidator(accept_idna=False)],
        help_text=_("For example contoso.onmicrosoft.com"),
    )
    country = CountryField(
        _("country"), help_text=_("The customer's market: it sets prices and tax.")
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state or province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CustomerManager()

    class Meta:
        ordering = ["company_name", "id"]
        constraints = [
            # The same directory may buy through several partners, but appears once per partner.
            models.UniqueConstraint(
                fields=["partner", "entra_tenant_id"], name="customer_tenant_unique_per_partner"
            ),
        ]
        indexes = [
            models.Index("partner", Lower("company_name"), name="customer_partner_name"),
            models.Index("partner", Lower("primary_domain"), name="customer_partner_domain"),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.primary_domain})"
