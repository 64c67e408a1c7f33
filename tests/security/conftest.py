"""A purchase with an activation key and a downloadable file, for the security tests."""

from __future__ import annotations

import pytest

from catalog.services import software_variant_store
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Purchase
from orders.tests.factories import order_for
from software.models import ActivationKey
from software.services import keys_and_downloads_issue

FILE_CONTENT = b"ISO image bytes " * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def agent(role_users):
    """The Admin agent (TOTP enrolled): the one role that gets keys and downloads."""
    return role_users[Role.ADMIN_AGENT]


@pytest.fixture
def customer(owner_partner):
    return CustomerFactory(partner=owner_partner, country="IT", company_name="Contoso Italia")


@pytest.fixture
def purchase(customer, global_admin):
    order = order_for(customer, actor=global_admin, issues_keys=True, title="Windows Server 2022")
    return Purchase.objects.all_partners().get(order=order)


@pytest.fixture
def variant(purchase):
    return software_variant_store(
        product=purchase.product,
        version="2022",
        language="en-US",
        file_type="ISO (x64)",
        filename="ws2022-en.iso",
        content=FILE_CONTENT,
    )


def variant_form(variant) -> dict[str, str]:
    return {
        "version": variant.version,
        "language": variant.language,
        "file_type": variant.file_type,
    }


def keys_url(purchase) -> str:
    return (
        f"/customers/{purchase.customer.entra_tenant_id}/software/{purchase.pk}/keys-and-downloads/"
    )


def download_path(purchase, variant) -> str:
    """Issue a download link through the service; return its path (it carries the token)."""
    with partner_scope(purchase.partner):
        result = keys_and_downloads_issue(
            partner=purchase.partner,
            actor=None,
            purchase_id=purchase.pk,
            base_url="http://testserver",
            **variant_form(variant),
        )
    return result.download.uri.removeprefix("http://testserver")


def activation_key(purchase) -> str:
    with partner_scope(purchase.partner):
        return ActivationKey.objects.get(purchase=purchase).value
