from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tenancy import PartnerScopedManager

from .crypto import decrypt


class ActivationKey(models.Model):
    """An activation key of one software purchase, encrypted at rest."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    purchase = models.ForeignKey(
        "orders.Purchase", on_delete=models.PROTECT, related_name="activation_keys"
    )
    ciphertext = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["purchase", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase"], name="activation_key_one_per_purchase"),
        ]

    def __str__(self) -> str:
        return f"key {self.pk} of purchase {self.purchase_id}"

    @property
    def value(self) -> str:
        return decrypt(self.ciphertext)


class DownloadLinkState(models.TextChoices):
    LIVE = "live", _("Live")
    EXPIRED = "expired", _("Expired")
    USED_UP = "used_up", _("Used up")
    RETIRED = "retired", _("Replaced by a newer link")
    REVOKED = "revoked", _("Revoked")


class DownloadLink(models.Model):
    """A link for one purchase and one variant that works without signing in.

    Only the SHA-256 of its token is stored, so a copy of the database gives no working link.
    It dies after `expires_at` or `max_downloads`, whichever comes first; issuing a new one for
    the same purchase and variant retires it; it is revoked the moment its purchase stops being
    active (a cancellation requested), since every use checks the purchase's status.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    purchase = models.ForeignKey(
        "orders.Purchase", on_delete=models.PROTECT, related_name="download_links"
    )
    variant = models.ForeignKey(
        "catalog.SoftwareVariant", on_delete=models.PROTECT, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    max_downloads = models.PositiveIntegerField()
    download_count = models.PositiveIntegerField(default=0)
    # Bytes its downloads have reserved (sent or being sent); never above max_downloads times
    # the file's size, so no more than max_downloads whole files leave through the link.
    bytes_reserved = models.PositiveBigIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)
    # Set by the expiry sweep for reporting; the download endpoint checks expires_at itself.
    expired_marked_at = models.DateTimeField(null=True, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase", "variant"],
                condition=models.Q(retired_at__isnull=True),
                name="download_link_one_current_per_variant",
            ),
            models.CheckConstraint(
                condition=models.Q(download_count__lte=models.F("max_downloads")),
                name="download_link_count_within_limit",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=models.Q(expired_marked_at__isnull=True),
                name="download_link_to_expire",
            ),
        ]

    def __str__(self) -> str:
        return f"link {self.pk} of purchase {self.purchase_id}"

    @property
    def downloads_remaining(self) -> int:
        return max(0, self.max_downloads - self.download_count)

    def state_at(self, at, *, purchase_active: bool) -> str:
        if not purchase_active:
            return DownloadLinkState.REVOKED
        if self.retired_at is not None:
            return DownloadLinkState.RETIRED
        if self.expires_at <= at:
            return DownloadLinkState.EXPIRED
        if self.download_count >= self.max_downloads:
            return DownloadLinkState.USED_UP
        return DownloadLinkState.LIVE


class Download(models.Model):
    """One counted download through a link, and the bytes it may serve (resumes included).

    The link counts it in the same conditional write that creates it; every request that serves
    bytes reserves them on one of these rows first. services/downloading.py has the whole rule.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey(DownloadLink, on_delete=models.PROTECT, related_name="downloads")
    started_at = models.DateTimeField()
    resumable_until = models.DateTimeField()
    byte_budget = models.PositiveBigIntegerField()
    bytes_reserved = models.PositiveBigIntegerField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = PartnerScopedManager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bytes_reserved__lte=models.F("byte_budget")),
                name="download_within_byte_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"download {self.pk} through link {self.link_id}"
