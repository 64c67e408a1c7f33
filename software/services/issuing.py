"""Writes on activation keys and download links: revealing keys, issuing and retiring links.

A key is generated the first time an Admin agent asks for it, under the purchase's row lock, so
placing an order writes nothing here. Keys and links serve only an active purchase: the moment a
cancellation is requested they stop working, with nothing to revoke row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import OperationType, ResourceType
from activity.services import event_record
from catalog.models import SoftwareVariant
from core.errors import Conflict, PortalError
from orders.models import Purchase, PurchaseStatus
from orders.selectors import purchase_get
from webhooks.events import webhook_event_emit
from webhooks.models import EventType

from ..crypto import encrypt
from ..keys import activation_key_generate
from ..models import ActivationKey, DownloadLink
from ..tokens import token_digest, token_new


def _activation_key_issue(*, purchase) -> ActivationKey:
    """Generate the purchase's activation key, encrypted; the caller holds the purchase's lock."""
    key = ActivationKey(
        partner_id=purchase.partner_id,
        purchase=purchase,
        ciphertext=encrypt(activation_key_generate()),
    )
    key.save(force_insert=True)
    return key


@dataclass(frozen=True)
class IssuedLink:
    link: DownloadLink
    uri: str


@dataclass(frozen=True)
class KeysAndDownloads:
    purchase: Purchase
    variant: SoftwareVariant
    keys: list[str]
    download: IssuedLink


def _active_purchase(purchase_id: int) -> Purchase:
    purchase = purchase_get(purchase_id=purchase_id, for_update=True)
    if purchase.status != PurchaseStatus.ACTIVE:
        raise Conflict(
            _("This purchase is cancelled: its keys and downloads were revoked."),
            code="purchase_cancelled",
        )
    return purchase


def _variant(*, purchase: Purchase, version: str, language: str, file_type: str):
    variant = SoftwareVariant.objects.filter(
        product_id=purchase.product_id, version=version, language=language, file_type=file_type
    ).first()
    if variant is None:
        raise PortalError(
            _("%(product)s has no download for this version, language and file type.")
            % {"product": purchase.product_title},
            code="invalid_variant",
        )
    return variant


def _link_issue(
    *, partner, actor, purchase: Purchase, variant, base_url: str, at: datetime
) -> IssuedLink:
    DownloadLink.objects.select_for_update().filter(
        purchase=purchase, variant=variant, retired_at__isnull=True
    ).update(retired_at=at)
    token = token_new()
    link = DownloadLink(
        partner=partner,
        purchase=purchase,
        variant=variant,
        token_digest=token_digest(token),
        issued_by=actor,
        created_at=at,
        expires_at=at + timedelta(days=settings.DOWNLOAD_LINK_TTL_DAYS),
        max_downloads=settings.DOWNLOAD_LINK_MAX_DOWNLOADS,
    )
    link.save(force_insert=True)
    event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.GET_SOFTWARE_DOWNLOAD_LINK,
        resource_type=ResourceType.SOFTWARE,
        customer=purchase.customer,
        object_id=str(link.pk),
        details={
            "productTitle": purchase.product_title,
            "orderId": str(purchase.order_id),
            "version": variant.version,
            "language": variant.language,
            "fileType": variant.file_type,
            "expiresAt": link.expires_at.isoformat(),
            "maxDownloads": link.max_downloads,
        },
    )
    webhook_event_emit(partner=partner, event_type=EventType.DOWNLOAD_LINK_ISSUED, subject=link)
    path = reverse("software:download", kwargs={"token": token})
    return IssuedLink(link=link, uri=base_url.rstrip("/") + path)


def _keys_reveal(*, partner, actor, purchase: Purchase) -> list[str]:
    if not purchase.issues_keys:
        return []
    stored = list(purchase.activation_keys.all()) or [_activation_key_issue(purchase=purchase)]
    keys = [key.value for key in stored]
    if keys:
        event_record(
            partner=partner,
            actor=actor,
            operation=OperationType.GET_SOFTWARE_KEY,
            resource_type=ResourceType.SOFTWARE,
            customer=purchase.customer,
            object_id=str(purchase.pk),
            details={
                "productTitle": purchase.product_title,
                "orderId": str(purchase.order_id),
                "keyCount": len(keys),
            },
        )
    return keys


@transaction.atomic
def keys_and_downloads_issue(
    *,
    partner,
    actor,
    purchase_id: int,
    version: str,
    language: str,
    file_type: str,
    base_url: str,
    at: datetime | None = None,
) -> KeysAndDownloads:
    """Show the purchase's keys and issue a fresh link for the variant (retiring the last one)."""
    at = at or timezone.now()
    purchase = _active_purchase(purchase_id)
    variant = _variant(purchase=purchase, version=version, language=language, file_type=file_type)
    keys = _keys_reveal(partner=partner, actor=actor, purchase=purchase)
    download = _link_issue(
        partner=partner, actor=actor, purchase=purchase, variant=variant, base_url=base_url, at=at
    )
    return KeysAndDownloads(purchase=purchase, variant=variant, keys=keys, download=download)

