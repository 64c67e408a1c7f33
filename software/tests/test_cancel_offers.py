"""The Software page offers Cancel only where a cancellation can be requested, and says why not
everywhere else, with the customer support request link where one can still help."""

from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from catalog.models import ProductFamily
from core.roles import Role
from core.tenancy import partner_scope
from orders.services.cancellation import purchase_cancel
from orders.tests.factories import order_for


def _software_page(client, customer) -> str:
    response = client.get(f"/customers/{customer.entra_tenant_id}/software/")
    assert response.status_code == 200
    return response.content.decode()


def _cell(page: str, order) -> str:
    """The cancellation cell of the order's row."""
    row = page.split(f">{order.alternate_id}</a>", 1)[1].split("</tr>", 1)[0]
    return row.split('class="purchase-cancellation"', 1)[1]


@pytest.fixture
def purchases(customer, role_users):
    now = timezone.now()
    with partner_scope(customer.partner):
        orders = {
            "recent": order_for(customer, title="Windows Server 2022 Standard",
                                at=now - timedelta(days=3)),
            "late": order_for(customer, title="SQL Server 2022 Standard",
                              at=now - timedelta(days=75)),
            "plan": order_for(customer, title="SUSE Linux Enterprise Server plan",
                              family=ProductFamily.SOFTWARE_PLAN, publisher="SUSE",
                              at=now - timedelta(days=2)),
            "cancelled": order_for(customer, title="Windows Server 2022 Datacenter",
                                   at=now - timedelta(days=1)),
        }
        purchase_cancel(partner=customer.partner, actor=role_users[Role.ADMIN_AGENT],
                        purchase_id=orders["cancelled"].lines.get().pk, acknowledged=True)
    return orders


def test_an_admin_agent_gets_cancel_only_where_a_cancellation_can_be_requested(
    customer, purchases, role_users, client_for
):
    page = _software_page(client_for(role_users[Role.ADMIN_AGENT]), customer)
    recent = _cell(page, purchases["recent"])
    assert ">Cancel</a>" in recent and "57 days left to cancel" in recent
    for name in ("late", "plan", "cancelled"):
        assert ">Cancel</a>" not in _cell(page, purchases[name]), name
    assert "Cannot be cancelled or exchanged." in _cell(page, purchases["plan"])
    late = _cell(page, purchases["late"])
    assert "Cancellation window passed." in late
    link = unescape(late.split('href="', 1)[1].split('"', 1)[0])
    assert urlsplit(link).path == "/support/new/"
    assert parse_qs(urlsplit(link).query) == {
        "topic": ["csp_purchase_refund"], "customer": [str(customer.entra_tenant_id)],
        "order": [str(purchases["late"].id)], "product": ["SQL Server 2022 Standard"],
    }
    assert "customer support request" not in _cell(page, purchases["cancelled"])


@pytest.mark.parametrize("role", [Role.GLOBAL_ADMIN, Role.SALES_AGENT])
def test_other_roles_read_the_days_left_but_get_no_cancel(
    customer, purchases, role_users, client_for, role
):
    page = _software_page(client_for(role_users[role]), customer)
    recent = _cell(page, purchases["recent"])
    assert "57 days left to cancel" in recent and ">Cancel</a>" not in recent
    assert "Cancellation window passed." in _cell(page, purchases["late"])


def test_the_support_request_link_opens_the_form_pre_filled(
    customer, purchases, role_users, client_for
):
    client = client_for(role_users[Role.ADMIN_AGENT])
    late = _cell(_software_page(client, customer), purchases["late"])
    form = client.get(unescape(late.split('href="', 1)[1].split('"', 1)[0]))
    assert form.status_code == 200
    html = form.content.decode()
    assert purchases["late"].alternate_id in html or str(purchases["late"].id) in html
    assert 'value="csp_purchase_refund" selected' in html


def test_the_cancel_dialog_links_to_the_customers_order_history(
    customer, purchases, role_users, client_for
):
    purchase = purchases["recent"].lines.model.objects.all_partners().get(
        order=purchases["recent"]
    )
    dialog = client_for(role_users[Role.ADMIN_AGENT]).get(
        f"/customers/{customer.entra_tenant_id}/software/{purchase.pk}/cancel/", {"fragment": "1"}
    ).content.decode()
    assert (f'href="/customers/{customer.entra_tenant_id}/orders/" id="order-history-link">'
            "Order history</a>") in dialog
