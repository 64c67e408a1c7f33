import json

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.serializers import CatalogueQueryInput, ProductOutput
from catalog.api.views import TARGET_VIEW, ProductListApi
from catalog.selectors import market_get
from catalog.target_views import TargetView
from core.api.exceptions import PROBLEM_CONTENT_TYPE, problem
from core.api.pagination import PAGING_PARAMETERS, ContinuationPagination, collection_of
from core.api.schema import problem_responses
from core.errors import PortalError
from core.roles import Action
from customers.selectors import customer_get
from orders import selectors
from orders.cancellation import purchase_cancel
from orders.idempotency import idempotent_call, request_fingerprint
from orders.policy import purchase_cancellation, reservation_refunds_usd
from orders.quotes import LineRequest
from orders.refundable import credit_ledger
from orders.services import order_place

from .serializers import OrderCreateInput, OrderOutput, order_representation

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def _represent(order, customer, at, refunded_usd=False, ledger=None) -> dict:
    if refunded_usd is False:
        refunded_usd = reservation_refunds_usd(customer=customer, at=at)
    if ledger is None:
        ledger = credit_ledger(order_id=order.pk)
    cancellations = {
        line.pk: purchase_cancellation(
            purchase=line, at=at, refunded_usd=refunded_usd, ledger=ledger
        )
        for line in order.lines.all()
    }
    return order_representation(order, customer=customer, cancellations=cancellations)


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
            selectors.order_list(customer=customer), request, view=self
        )
        now = timezone.now()
        refunded = reservation_refunds_usd(customer=customer, at=now)
        ledger = credit_ledger(customer=customer)
        return paginator.get_paginated_response(
            [_represent(o, customer, now, refunded, ledger) for o in page]
        )

    @extend_schema(
        request=OrderCreateInput,
        responses={
            201: OrderOutput,
            **problem_responses({409: "This Idempotency-Key came before with another body."}),
        },
        summary="Place an order (create and pay): charged on the next monthly invoice",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="A replay within 24 h returns the first response; the same key with "
                "another body is a 409. MS-RequestId is accepted as the key too.",
            ),
        ],
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

        def place() -> tuple[int, bytes]:
            order = order_place(
                partner=request.user.partner, actor=request.user, customer=customer, lines=lines
            )
            order = selectors.order_get(customer=customer, order_id=order.id)
            return 201, JSONRenderer().render(_represent(order, customer, timezone.now()))

        key = (
            request.headers.get(IDEMPOTENCY_HEADER) or request.headers.get("MS-RequestId") or ""
        )[:MAX_KEY_LENGTH]
        if not key:
            status, body = place()
            return HttpResponse(body, status=status, content_type="application/json")
        fingerprint = request_fingerprint(
            json.dumps([str(customer.pk), request.data], sort_keys=True, default=str).encode()
        )
        answer = idempotent_call(
            partner=request.user.partner,
            key=f"api:{key}",
            fingerprint=fingerprint,
            call=place,
            render_error=_problem_bytes,
        )
        content_type = PROBLEM_CONTENT_TYPE if answer.status >= 400 else "application/json"
        response = HttpResponse(answer.body, status=answer.status, content_type=content_type)
        if answer.replayed:
            response["Idempotency-Replayed"] = "true"
        return response


def _problem_bytes(error: PortalError) -> tuple[int, bytes]:
    errors = [{"field": error.field, "detail": error.message}] if error.field else None
    body = problem(status_code=error.status, code=error.code, detail=error.message, errors=errors)
    return error.status, JSONRenderer().render(body)


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
        return Response(_represent(order, customer, timezone.now()))

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
        order = selectors.order_get(customer=customer, order_id=order_id)
        data = OrderCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        lines = {line.line_number: line for line in order.lines.all()}
        wanted = [item["lineItemNumber"] for item in data.validated_data.get("lineItems", [])]
        unknown = [number for number in wanted if number not in lines]
        if unknown:
            raise PortalError(
                f"The order has no line {unknown[0]}.",
                code="invalid_line_item",
                field="lineItems",
            )
        with transaction.atomic():
            for number in wanted or sorted(lines):
                purchase_cancel(
                    partner=request.user.partner,
                    actor=request.user,
                    purchase_id=lines[number].pk,
                    acknowledged=True,
                )
        order = selectors.order_get(customer=customer, order_id=order_id)
        return Response(_represent(order, customer, timezone.now()), status=202)


class CustomerProductListApi(ProductListApi):
    """The catalogue for the customer's market, as Partner Center's customer products."""

    @extend_schema(
        parameters=[TARGET_VIEW],
        responses=ProductOutput(many=True),
        summary="Products as the customer's market sees them",
    )
    def get(self, request, customer_id):
        return super().get(request, customer_id=customer_id)

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
