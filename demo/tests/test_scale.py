"""`seed_demo --scale N`: generated partners whose orders read back as the portal's own."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.roles import Role
from core.tenancy import partner_scope
from customers.models import Customer
from demo import scale as demo_scale
from demo.catalog import demo_catalog_seed
from demo.partners import demo_password
from orders.models import Order
from orders.quotes import LineRequest, order_quote
from partners.models import Partner, User
from software.keys import GROUP_LENGTH, GROUPS, KEY_ALPHABET
from software.models import ActivationKey

pytestmark = pytest.mark.django_db

# A handful of customers keeps the command quick; the shape of the data is what is checked.
CUSTOMERS = 3


@pytest.fixture(autouse=True)
def _small_partners(monkeypatch):
    monkeypatch.setattr(demo_scale, "CUSTOMERS_PER_PARTNER", CUSTOMERS)


@pytest.fixture
def offers_seeded() -> Partner:
    """The catalogue and one generated partner, without the rest of the demo."""
    demo_catalog_seed()
    demo_scale.demo_scale_seed(scale=2)
    return _generated()[0]


def _generated() -> list[Partner]:
    numbers = demo_scale.scale_partner_numbers(1000)
    return list(Partner.objects.filter(partner_number__in=list(numbers)).order_by("partner_number"))


def test_seed_demo_scale_adds_partners_with_customers_orders_and_staff_who_can_sign_in():
    call_command("seed_demo", scale=2)
    partners = _generated()
    assert len(partners) == 2
    for partner in partners:
        with partner_scope(partner):
            assert Customer.objects.count() == CUSTOMERS
            assert Order.objects.count() == CUSTOMERS * demo_scale.ORDERS_PER_CUSTOMER
        staff = User.objects.filter(partner=partner)
        assert {role for user in staff for role in user.role_set} == {
            Role.GLOBAL_ADMIN,
            Role.ADMIN_AGENT,
            Role.SALES_AGENT,
        }
        for user in staff:
            assert user.check_password(demo_password())
            assert user.emailaddress_set.get().verified


def test_generated_purchases_are_priced_and_keyed_as_the_order_service_would(offers_seeded):
    key_form = re.compile("^" + "-".join([f"[{KEY_ALPHABET}]{{{GROUP_LENGTH}}}"] * GROUPS) + "$")
    with partner_scope(offers_seeded):
        orders = list(Order.objects.prefetch_related("lines").select_related("customer"))
        keys = {key.purchase_id: key for key in ActivationKey.objects.all()}
        for order in orders:
            lines = list(order.lines.select_related("product"))
            assert order.total == sum((line.total for line in lines), Decimal(0))
            assert [line.line_number for line in lines] == list(range(len(lines)))
            for line in lines:
                [quoted] = order_quote(
                    customer=order.customer,
                    lines=[LineRequest(offer_id=line.catalog_item_id, quantity=line.quantity)],
                    at=line.purchased_at,
                ).lines
                assert (line.unit_price, line.tax_amount, line.total, line.currency_code) == (
                    quoted.price.unit_price,
                    quoted.price.tax_amount,
                    quoted.price.total,
                    order.currency_code,
                )
                if line.product.issues_keys:
                    assert key_form.match(keys[line.pk].value)
                    assert keys[line.pk].value not in keys[line.pk].ciphertext
                else:
                    assert line.pk not in keys
    assert orders and keys


def test_the_api_lists_a_generated_customers_orders(offers_seeded, api_client_for):
    agent = User.objects.get(partner=offers_seeded, email__startswith="agent@")
    with partner_scope(offers_seeded):
        customer = Customer.objects.order_by("id").first()
    response = api_client_for(agent).get(f"/v1/customers/{customer.entra_tenant_id}/orders")
    assert response.status_code == 200
    assert response.json()["totalCount"] == demo_scale.ORDERS_PER_CUSTOMER


def test_seeding_again_keeps_what_is_there_and_a_larger_scale_adds_only_the_missing():
    demo_catalog_seed()
    assert demo_scale.demo_scale_seed(scale=1).partners_added == 0
    first = demo_scale.demo_scale_seed(scale=2)
    before = {p.partner_number: p.pk for p in _generated()}
    again = demo_scale.demo_scale_seed(scale=2)
    assert (again.partners_added, again.partners_present) == (0, 2)
    more = demo_scale.demo_scale_seed(scale=3)
    assert (more.partners_added, more.partners_present) == (1, 2)
    after = {p.partner_number: p.pk for p in _generated()}
    assert len(after) == 3 and all(after[number] == pk for number, pk in before.items())
    assert first.orders == 2 * CUSTOMERS * demo_scale.ORDERS_PER_CUSTOMER
    assert Order.objects.all_partners().count() == 3 * CUSTOMERS * demo_scale.ORDERS_PER_CUSTOMER


def test_a_scale_below_one_is_refused():
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", scale=0)
