from django.db import models
from django.utils import timezone

from csp_portal.tenancy import PartnerScopedManager

from .crypto import decrypt


class ActivationKey(models.Model):
    """An activation key of one software purchase, encrypted at rest."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    purchase = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="activation_keys"
    )
    ciphertext = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["purchase", "id"]

    def __str__(self) -> str:
        return f"key {self.pk} of purchase {self.purchase_id}"

    @property
    def value(self) -> str:
        return decrypt(self.ciphertext)
