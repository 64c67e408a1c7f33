"""Placing an order in one transaction without savepoints loses none of what they gave."""

from decimal import Decimal

from catalog.tests.factories import market, priced_sku
from core.errors import Conflict
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import IdempotencyRecord, Order
from orders.services import placing
from orders.services.idempotency import idempotent_call
from orders.tests.factories import order_for


def test_a_taken_order_number_is_replaced_by_a_free_one(
    owner_partner, global_admin, api_client_for, monkeypatch
):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    taken = order_for(customer).alternate_id
    numbers = iter([taken, "FREEN0MBER"])
    monkeypatch.setattr(placing, "new_alternate_id", lambda: next(numbers))
    offer = priced_sku(countries=("IT",), unit_price=Decimal("50")).availabilities.get(
        market=market("IT")
    ).catalog_item_id
    response = api_client_for(global_admin).post(
        f"/v1/customers/{customer.entra_tenant_id}/orders",
        {"lineItems": [{"lineItemNumber": 0, "offerId": offer, "quantity": 1}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="taken-number",
    )
    assert response.status_code == 201
    assert response.json()["alternateId"] == "FREEN0MBER"
    assert sorted(Order.objects.all_partners().values_list("alternate_id", flat=True)) == sorted(
        [taken, "FREEN0MBER"]
    )


def test_a_refusal_after_writes_undoes_them_and_is_kept_for_the_key(owner_partner):
    customer = CustomerFactory(partner=owner_partner, country="IT")
    calls = []

    def place_then_refuse():
        calls.append(order_for(customer).pk)
        raise Conflict("Refused after writing.", code="refused_late")

    def answer():
        with partner_scope(owner_partner):
            return idempotent_call(
                partner=owner_partner,
                key="late-refusal",
                fingerprint="same",
                call=place_then_refuse,
                render_error=lambda error: (409, error.code.encode()),
            )

    first = answer()
    replay = answer()
    assert (first.status, first.body, first.replayed) == (409, b"refused_late", False)
    assert (replay.status, replay.body, replay.replayed) == (409, b"refused_late", True)
    assert len(calls) == 1
    assert not Order.objects.all_partners().filter(pk__in=calls).exists()
    assert IdempotencyRecord.objects.all_partners().get(key="late-refusal").response_status == 409
