"""The cart of one customer, kept in the signed-in user's session until the order is placed."""

from __future__ import annotations

from .quotes import LineRequest

MAX_CART_LINES = 50


def _key(customer) -> str:
    return f"cart:{customer.entra_tenant_id}"


def cart_lines(session, customer) -> list[LineRequest]:
    return [
        LineRequest(offer_id=item["offer_id"], quantity=item["quantity"])
        for item in session.get(_key(customer), [])
    ]


def cart_add(session, customer, *, offer_id: str, quantity: int) -> None:
    items = [item for item in session.get(_key(customer), []) if item["offer_id"] != offer_id]
    items.append({"offer_id": offer_id, "quantity": quantity})
    session[_key(customer)] = items[-MAX_CART_LINES:]


def cart_remove(session, customer, *, offer_id: str) -> None:
    items = session.get(_key(customer), [])
    session[_key(customer)] = [item for item in items if item["offer_id"] != offer_id]


def cart_clear(session, customer) -> None:
    session.pop(_key(customer), None)
