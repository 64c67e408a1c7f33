import json

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.serializers import CatalogueQueryInput, ProductOutput
from catalog.api.views import (
    TARGET_VIEW,
    AvailabilityGetApi,
    AvailabilityListApi,
    ProductGetApi,
    ProductListApi,
    SkuGetApi,
    SkuListApi,
)
from catalog.selectors import market_get
from catalog.target_views import TargetView
from core.api.exceptions import PROBLEM_CONTENT_TYPE, problem
from core.api.pagination import PAGING_PARAMETERS, ContinuationPagination, collection_of
from core.api.partner_center import attributes
from core.api.schema import problem_responses
from core.error_responses import status_of
from core.errors import PortalError
from core.roles import Action
from customers.selectors import customer_get
from orders import selectors
from orders.quotes import LineRequest
from orders.services.cancellation import order_cancel
from orders.services.carts import cart_checkout, cart_create, cart_update
from orders.services.idempotency import request_fingerprint
from orders.services.placing import order_place_answer, placement_answer

from .serializers import (
    CartCheckoutResultOutput,
    CartInput,
    CartOutput,
    OrderCreateInput,
    OrderOutput,
    cart_representation,
    customer_facts,
    order_representation,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def _represented(orders, customer, lines_by_order: dict | None = None) -> list[dict]:
    """`lines_by_order`: the orders' lines (selectors.order_lines); left out, as order.lines gives
    them."""
    if lines_by_order is None:
        lines_by_order = selectors.lines_of(orders)
    facts = selectors.cancellation_facts(
        customer=customer, orders=orders, at=timezone.now(), lines_by_order=lines_by_order
    )
    shared = customer_facts(customer)
    return [
        order_representation(
            order, customer=shared, cancellations=facts, lines=lines_by_order[order.pk]
        )
        for order in orders
    ]


def _idempotency_key(request) -> str:
    key = (
        request.headers.get(IDEMPOTENCY_HEADER) or request.headers.get("MS-RequestId") or ""
    )[:MAX_KEY_LENGTH]
    return f"api:{key}" if key else ""


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description="A replay within 24 h returns the first response; the same key with "
    "another body is a 409. MS-RequestId is accepted as the key too.",
)


class OrderCollectionApi(APIView):
    required_actions = {"GET": Action.VIEW_CUSTOMERS, "POST": Action.BUY_SOFTWARE}
    ordering = ("-placed_at", "-id")

    @extend_schema(
        responses=collection_of(OrderOutput),
        summary="The customer's orders, newest first",
        parameters=PAGING_PARAMETERS,
    )
    def get(self, request, customer_id):
        customer = customer_get(customer_id=customer_id)
        paginator = ContinuationPagination()
        page = paginator.paginate_queryset(
            selectors.order_list(customer=customer, with_lines=False), request, view=self
        )
        lines_by_order = selectors.order_lines(orders=page)
        return paginator.get_paginated_response(_represented(page, customer, lines_by_order))

    @extend_schema(
        request=OrderCreateInput,
        responses={
            201: OrderOutput,
            **problem_responses({409: "This Idempotency-Key came before with another body."}),
        },
        summary="Place an order (create and pay): charged on the next monthly invoice",
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request, customer_id):
        customer = customer_get(customer_id=customer_id)
        data = OrderCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        lines = [
            LineRequest(
                offer_id=item["offerId"],
                quantity=item["quantity"],
                term_duration=item.get("termDuration") or None,
            )
            for item in sorted(
                data.validated_data["lineItems"],
                key=lambda item: item.get("lineItemNumber", 0),
            )
        ]

        answer = order_place_answer(
            partner=request.user.partner,
            actor=request.user,
            customer=customer,
            lines=lines,
            key=_idempotency_key(request),
            fingerprint=request_fingerprint(
                json.dumps([str(customer.pk), request.data], sort_keys=True, default=str).encode()
            ),
            represent=lambda order: JSONRenderer().render(_represented([order], customer)[0]),
            refusal=_problem_bytes,
        )
        return _answer_response(answer)


def _answer_response(answer) -> HttpResponse:
    content_type = PROBLEM_CONTENT_TYPE if answer.status >= 400 else "application/json"
    response = HttpResponse(answer.body, status=answer.status, content_type=content_type)
    if answer.replayed:
        response["Idempotency-Replayed"] = "true"
    return response


def _problem_bytes(error: PortalError) -> tuple[int, bytes]:
    errors = [{"field": error.field, "detail": error.message}] if error.field else None
    status = status_of(error)
    body = problem(status_code=status, code=error.code, detail=error.message, errors=errors)
    return status, JSONRenderer().render(body)


class CancelLineInput(serializers.Serializer):
    lineItemNumber = serializers.IntegerField(min_value=0)


class OrderCancelInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["cancelled"])
    lineItems = CancelLineInput(many=True, required=False, allow_empty=False)


class OrderApi(APIView):
    required_actions = {"GET": Action.VIEW_CUSTOMERS, "PATCH": Action.CANCEL_PURCHASE}

    @extend_schema(responses=OrderOutput, summary="One order with each line's cancellation facts")
    def get(self, request, customer_id, order_id):
        customer = customer_get(customer_id=customer_id)
        order = selectors.order_get(customer=customer, order_id=order_id)
        return Response(_represented([order], customer)[0])

    @extend_schema(
        request=OrderCancelInput,
        responses={
            202: OrderOutput,
            **problem_responses(
                {409: "A line may not be cancelled; `code` says why (e.g. `not_cancellable`)."}
            ),
        },
        summary="Cancel lines (no lineItems: every line); they show pendingCancellation at once",
    )
    def patch(self, request, customer_id, order_id):
        customer = customer_get(customer_id=customer_id)
        data = OrderCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        items = data.validated_data.get("lineItems", [])
        order = order_cancel(
            partner=request.user.partner,
            actor=request.user,
            customer=customer,
            order_id=order_id,
            line_numbers=[item["lineItemNumber"] for item in items],
            acknowledged=True,
        )
        return Response(_represented([order], customer)[0], status=202)


def _cart_lines(request) -> list[dict]:
    data = CartInput(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data["lineItems"]


def _cart_answer(cart, *, customer, status: int) -> Response:
    return Response(
        cart_representation(cart, customer=customer, at=timezone.now()), status=status
    )


class CartCollectionApi(APIView):
    required_action = Action.BUY_SOFTWARE

    @extend_schema(
        request=CartInput,
        responses={201: CartOutput},
        summary="Create a cart: lines checked as an order would check them, bought at checkout",
    )
    def post(self, request, customer_id):
        customer = customer_get(customer_id=customer_id)
        cart = cart_create(
            partner=request.user.partner,
            actor=request.user,
            customer=customer,
            lines=_cart_lines(request),
        )
        return _cart_answer(cart, customer=customer, status=201)


class CartApi(APIView):
    required_action = Action.BUY_SOFTWARE

    @extend_schema(responses=CartOutput, summary="One cart, with its status and expiry")
    def get(self, request, customer_id, cart_id):
        customer = customer_get(customer_id=customer_id)
        cart = selectors.cart_get(customer=customer, cart_id=cart_id)
        return _cart_answer(cart, customer=customer, status=200)

    @extend_schema(
        request=CartInput,
        responses={
            201: CartOutput,
            **problem_responses({
                409: "The cart has been checked out (`cart_checked_out`).",
                410: "The cart has expired (`cart_expired`).",
            }),
        },
        summary="Replace a cart's lines (Partner Center answers 201); its expiry restarts",
    )
    def put(self, request, customer_id, cart_id):
        customer = customer_get(customer_id=customer_id)
        cart = cart_update(
            partner=request.user.partner,
            actor=request.user,
            customer=customer,
            cart_id=cart_id,
            lines=_cart_lines(request),
        )
        return _cart_answer(cart, customer=customer, status=201)


class CartCheckoutApi(APIView):
    required_action = Action.BUY_SOFTWARE

    @extend_schema(
        request=None,
        responses={
            201: CartCheckoutResultOutput,
            **problem_responses({
                409: "The cart has been checked out (`cart_checked_out`), or this "
                "Idempotency-Key came before with another cart.",
                410: "The cart has expired (`cart_expired`).",
            }),
        },
        summary="Check a cart out: its order is placed as POST .../orders would place it",
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request, customer_id, cart_id):
        customer = customer_get(customer_id=customer_id)
        answer = placement_answer(
            partner=request.user.partner,
            place=lambda: cart_checkout(
                partner=request.user.partner,
                actor=request.user,
                customer=customer,
                cart_id=cart_id,
            ),
            key=_idempotency_key(request),
            fingerprint=request_fingerprint(f"cart:{customer.pk}:{cart_id}".encode()),
            represent=lambda order: JSONRenderer().render({
                "orders": [_represented([order], customer)[0]],
                "orderErrors": [],
                "attributes": attributes("CartCheckoutResult"),
            }),
            refusal=_problem_bytes,
        )
        return _answer_response(answer)


_NO_COUNTRY = extend_schema_view(
    get=extend_schema(parameters=[OpenApiParameter("country", exclude=True)])
)


class CustomerMarketApi:
    """The catalogue for the customer's market, as Partner Center's by-customer reads."""

    def catalogue_query(self, request, *, customer_id) -> dict:
        customer = customer_get(customer_id=customer_id)
        params = CatalogueQueryInput(
            data={**request.query_params.dict(), "country": customer.country.code}
        )
        params.is_valid(raise_exception=True)
        target_view = params.validated_data.get("targetView")
        return {
            "market": market_get(country=customer.country.code),
            "target_view": TargetView(target_view) if target_view else None,
        }


class CustomerProductListApi(CustomerMarketApi, ProductListApi):
    @extend_schema(
        parameters=[TARGET_VIEW],
        responses=ProductOutput(many=True),
        summary="Products as the customer's market sees them",
    )
    def get(self, request, customer_id):
        return super().get(request, customer_id=customer_id)


@_NO_COUNTRY
class CustomerProductGetApi(CustomerMarketApi, ProductGetApi):
    pass


@_NO_COUNTRY
class CustomerSkuListApi(CustomerMarketApi, SkuListApi):
    pass


@_NO_COUNTRY
class CustomerSkuGetApi(CustomerMarketApi, SkuGetApi):
    pass


@_NO_COUNTRY
class CustomerAvailabilityListApi(CustomerMarketApi, AvailabilityListApi):
    pass


@_NO_COUNTRY
class CustomerAvailabilityGetApi(CustomerMarketApi, AvailabilityGetApi):
    pass
