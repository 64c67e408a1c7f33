"""Partner Center's `targetView` names for slices of the catalogue (API.md, Catalogue)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import ProductFamily


class TargetView(models.TextChoices):
    SOFTWARE = "Software", _("All software")
    SOFTWARE_PERPETUAL = "SoftwarePerpetual", _("Perpetual software")
    SOFTWARE_SUBSCRIPTIONS = "SoftwareSubscriptions", _("Server subscriptions")
    SOFTWARE_SUSE_LINUX = "SoftwareSUSELinux", _("SUSE and Red Hat plans")
    AZURE_RESERVATIONS = "AzureReservations", _("Azure reservations")

    @property
    def families(self) -> frozenset[ProductFamily]:
        return _FAMILIES[self]


# "Software" is every software family, the Linux plans included; Partner Center lists the plans
# under SoftwareSUSELinux as well, which here also holds the Red Hat plans.
_FAMILIES = {
    TargetView.SOFTWARE: frozenset({ProductFamily.PERPETUAL_SOFTWARE,
                                    ProductFamily.SERVER_SUBSCRIPTION,
                                    ProductFamily.SOFTWARE_PLAN}),
    TargetView.SOFTWARE_PERPETUAL: frozenset({ProductFamily.PERPETUAL_SOFTWARE}),
    TargetView.SOFTWARE_SUBSCRIPTIONS: frozenset({ProductFamily.SERVER_SUBSCRIPTION}),
    TargetView.SOFTWARE_SUSE_LINUX: frozenset({ProductFamily.SOFTWARE_PLAN}),
    TargetView.AZURE_RESERVATIONS: frozenset({ProductFamily.AZURE_RESERVATION}),
}
