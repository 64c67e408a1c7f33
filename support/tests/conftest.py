from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.roles import Role
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for

from .factories import file_request, refund_draft


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path) -> Path:
    """A private attachment folder per test, to see exactly what was (not) stored."""
    root = tmp_path / "support-attachments"
    settings.SUPPORT_ATTACHMENT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root)},
    }
    return root


@pytest.fixture
def customer(owner_partner):
    return CustomerFactory(
        partner=owner_partner, country="IT", company_name="Contoso Italia",
        primary_domain="contosoitalia.onmicrosoft.com",
    )


@pytest.fixture
def order(customer, global_admin):
    """€100 of perpetual software in Italy: €122 charged with 22% VAT on top."""
    return order_for(customer, actor=global_admin, unit_price=Decimal("100"), title="Visio 2024")


@pytest.fixture
def agent(role_users):
    return role_users[Role.ADMIN_AGENT]


@pytest.fixture
def refund_request(agent, customer, order):
    return file_request(agent, refund_draft(customer, order))
