"""Placing orders: one transaction writes the order, its purchases and the event.

A web form's submission and an API request with an Idempotency-Key place at most one order per
key (services/idempotency.py); a replay gets the first answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from activity.models import OperationType, ResourceType
from activity.services import event_record
from catalog.models import Billing, Term
from core.errors import PortalError
from core.tenancy import partner_scope
from webhooks.events import webhook_event_emit
from webhooks.models import EventType

from ..models import Credit, Order, Purchase, new_alternate_id
from ..quotes import LineRequest, Quote, QuotedLine, order_quote
from .idempotency import StoredAnswer, idempotent_call, request_fingerprint

_TERM_YEARS = {Term.ONE_YEAR: 1, Term.THREE_YEARS: 3}
_ORDER_NUMBER_UNIQUE = "order_alternate_id_unique_per_partner"
# Ten characters from 28 give 28**10 ids per partner; a collision is retried, not expected.
_ALTERNATE_ID_ATTEMPTS = 5


def _term_end(*, start: datetime, term: str) -> datetime | None:
    years = _TERM_YEARS.get(Term(term)) if term else None
    return start + relativedelta(years=years) if years else None


@functools.cache
def _insert_sql(vendor: str) -> str:
    # ON CONFLICT DO NOTHING: a taken order number inserts nothing instead of failing the
    # transaction, so trying another needs no savepoint around each attempt (two statements on
    # every order). The vendor keys the cache: quoting is the connection's.
    meta, quote_name = Order._meta, connection.ops.quote_name
    columns = ", ".join(quote_name(f.column) for f in meta.concrete_fields)
    values = ", ".join(["%s"] * len(meta.concrete_fields))
    (number_unique,) = (c for c in meta.constraints if c.name == _ORDER_NUMBER_UNIQUE)
    unique = ", ".join(quote_name(meta.get_field(name).column) for name in number_unique.fields)
    return (
        f"INSERT INTO {quote_name(meta.db_table)} ({columns}) VALUES ({values}) "  # noqa: S608 - model's names
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING {quote_name(meta.pk.column)}"
    )


def _inserted(order: Order) -> bool:
    values = [
        f.get_db_prep_save(f.pre_save(order, add=True), connection)
        for f in Order._meta.concrete_fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), values)
        inserted = cursor.fetchone() is not None
    if inserted:
        order._state.adding, order._state.db = False, connection.alias
    return inserted


def _save_order(*, partner, actor, customer, quote: Quote) -> Order:
    for _attempt in range(_ALTERNATE_ID_ATTEMPTS):
        order = Order(
            partner=partner,
            customer=customer,
            placed_by=actor,
            placed_at=quote.at,
            alternate_id=new_alternate_id(),
            currency_code=quote.currency_code,
            prices_include_tax=quote.prices_include_tax,
            subtotal=quote.totals.subtotal,
            tax_total=quote.totals.tax_total,
            total=quote.totals.total,
        )
        if _inserted(order):
            return order
    raise IntegrityError(f"No free order number in {_ALTERNATE_ID_ATTEMPTS} attempts.")


def purchase_build(*, order: Order, quoted: QuotedLine) -> Purchase:
    """Return the unsaved purchase of a quoted line, as the partner agreed to it when ordering."""
    product, sku, price = quoted.product, quoted.sku, quoted.price
    is_subscription = sku.billing == Billing.SUBSCRIPTION
    policy = product.cancellation_policy
    return Purchase(
        partner_id=order.partner_id,
        order=order,
        customer_id=order.customer_id,
        line_number=quoted.line_number,
        product=product,
        sku=sku,
        availability=quoted.availability,
        catalog_item_id=quoted.availability.catalog_item_id,
        product_title=product.title,
        sku_title=sku.title,
        family=product.family,
        billing=sku.billing,
        term_duration=quoted.term_duration,
        quantity=price.quantity,
        currency_code=price.currency_code,
        prices_include_tax=price.prices_include_tax,
        tax_rate_percent=price.tax_rate_percent,
        unit_price=price.unit_price,
        extended_price=price.extended_price,
        tax_amount=price.tax_amount,
        total=price.total,
        purchased_at=order.placed_at,
        term_start_at=order.placed_at if is_subscription else None,
        term_end_at=_term_end(start=order.placed_at, term=sku.term) if is_subscription else None,
        issues_keys=product.issues_keys,
        is_cancellable=policy.is_cancellable,
        cancellation_window_days=policy.window_days,
    )


def _lines_in_memory(*, order: Order, lines: list[Purchase]) -> None:
    # The saved lines as order_list's prefetch would leave them on the order, and its credits (a
    # new order has none), so that answering with the new order reads nothing back: what was just
    # written is what a read would return.
    with partner_scope(order.partner):
        queryset = Purchase.objects.filter(order=order).order_by("line_number")
        credits = Credit.objects.filter(order=order)
    queryset._result_cache = sorted(lines, key=lambda line: line.line_number)
    queryset._prefetch_done = True
    credits._result_cache, credits._prefetch_done = [], True
    order._prefetched_objects_cache = {
        Order.lines.rel.cache_name: queryset, Order.credits.rel.cache_name: credits
    }


@transaction.atomic
def order_place(
    *, partner, actor, customer, lines: list[LineRequest], at: datetime | None = None
) -> Order:
    """Buy the lines for the customer; charged on the partner's next monthly invoice."""
    return _order_write(partner=partner, actor=actor, customer=customer, lines=lines, at=at)


def _order_write(*, partner, actor, customer, lines: list[LineRequest], at=None) -> Order:
    # In a transaction already: order_place's, placement_answer's or idempotent_call's, which a
    # refusal undoes whole (a savepoint of its own would be two more statements on every order).
    quote = order_quote(customer=customer, lines=lines, at=at or timezone.now())
    order = _save_order(partner=partner, actor=actor, customer=customer, quote=quote)
    saved = Purchase.objects.bulk_create(
        [purchase_build(order=order, quoted=quoted) for quoted in quote.lines]
    )
    _lines_in_memory(order=order, lines=saved)
    event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.CREATE_ORDER,
        resource_type=ResourceType.ORDER,
        customer=customer,
        object_id=str(order.id),
        details={
            # The log's Product column and the CSV read this key; the lines name each one.
            "productTitle": ", ".join(dict.fromkeys(line.product_title for line in saved)),
            "orderId": str(order.id),
            "alternateId": order.alternate_id,
            "lineItems": [
                {
                    "offerId": line.catalog_item_id,
                    "productTitle": line.product_title,
                    "quantity": line.quantity,
                }
                for line in saved
            ],
            "total": str(order.total),
            "currencyCode": order.currency_code,
        },
    )
    webhook_event_emit(partner=partner, event_type=EventType.ORDER_CREATED, subject=order)
    return order


def order_place_once(*, partner, actor, customer, lines: list[LineRequest], key: str) -> Order:
    """Place an order from a web form whose submission id is the key; a resubmit gets the same."""

    def place() -> tuple[int, bytes]:
        order = _order_write(partner=partner, actor=actor, customer=customer, lines=lines)
        return 201, str(order.id).encode()

    def refuse(error: PortalError) -> tuple[int, bytes]:
        raise error

    answer = idempotent_call(
        partner=partner,
        key=key,
        fingerprint=request_fingerprint(key.encode()),
        call=place,
        render_error=refuse,
    )
    return Order.objects.get(id=answer.body.decode())


def order_place_answer(
    *,
    partner,
    actor,
    customer,
    lines: list[LineRequest],
    key: str,
    fingerprint: str,
    represent: Callable[[Order], bytes],
    refusal: Callable[[PortalError], tuple[int, bytes]],
) -> StoredAnswer:
    """Place an order and answer with its representation; with a key, once per key."""
    return placement_answer(
        partner=partner,
        place=lambda: _order_write(partner=partner, actor=actor, customer=customer, lines=lines),
        key=key,
        fingerprint=fingerprint,
        represent=represent,
        refusal=refusal,
    )


def placement_answer(
    *,
    partner,
    place: Callable[[], Order],
    key: str,
    fingerprint: str,
    represent: Callable[[Order], bytes],
    refusal: Callable[[PortalError], tuple[int, bytes]],
) -> StoredAnswer:
    """Run one placement (an order, a cart's checkout) and answer it; with a key, once per key.

    `place` writes inside the transaction it is given: the key's, or one of its own without a
    key. `represent` renders the placed order, its lines in memory; `refusal` renders a
    refusal, which is kept for replays too. Without a key a refusal is raised as it comes.
    """

    def call() -> tuple[int, bytes]:
        return 201, represent(place())

    if not key:
        with transaction.atomic():
            order = place()
        return StoredAnswer(status=201, body=represent(order), replayed=False)
    return idempotent_call(
        partner=partner, key=key, fingerprint=fingerprint, call=call, render_error=refusal
    )
