"""GET /v1/invoices, one invoice, its line items, its PDF, and the unbilled line items."""

from babel.numbers import is_currency
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import (
    PAGING_PARAMETERS,
    ContinuationPagination,
    collection_of,
    whole_collection,
)
from core.errors import PortalError
from core.roles import Action
from invoices import selectors
from invoices.responses import PDF_RETRY_AFTER_SECONDS, invoice_pdf_response

from .serializers import (
    InvoiceLineItemOutput,
    InvoiceOutput,
    StatementPreparingOutput,
    invoice_detail_holds_lines,
    invoice_representation,
    line_item_representation,
)


class InvoiceListApi(APIView):
    required_action = Action.VIEW_INVOICES
    ordering = ("-sequence",)

    @extend_schema(
        responses=collection_of(InvoiceOutput),
        summary="The partner's invoices, newest first",
        parameters=PAGING_PARAMETERS,
    )
    def get(self, request):
        paginator = ContinuationPagination()
        page = paginator.paginate_queryset(selectors.invoice_list(), request, view=self)
        return paginator.get_paginated_response(
            [invoice_representation(invoice, request=request) for invoice in page]
        )


class InvoiceApi(APIView):
    required_action = Action.VIEW_INVOICES

    @extend_schema(responses=InvoiceOutput, summary="One invoice: period, totals, PDF link")
    def get(self, request, invoice_id):
        invoice = selectors.invoice_get(invoice_id=invoice_id)
        return Response(invoice_representation(invoice, request=request))


PROVIDER_PARAMETERS = [
    OpenApiParameter("provider", str, description="Partner Center's billing provider: OneTime "
                     "(the default) or All hold the portal's lines; Office, Azure, Marketplace "
                     "hold none."),
    OpenApiParameter("invoiceLineItemType", str, description="BillingLineItems (the default); "
                     "UsageLineItems holds none."),
]


class InvoiceLineItemListApi(APIView):
    required_action = Action.VIEW_INVOICES
    ordering = ("line_number",)

    @extend_schema(
        responses=collection_of(InvoiceLineItemOutput),
        summary="The invoice's charges, cancellation credits and refund credits",
        parameters=[*PAGING_PARAMETERS, *PROVIDER_PARAMETERS],
    )
    def get(self, request, invoice_id, provider=None, line_item_type=None):
        holds_lines = invoice_detail_holds_lines(
            provider=provider or request.query_params.get("provider"),
            line_item_type=line_item_type or request.query_params.get("invoiceLineItemType"),
        )
        invoice = selectors.invoice_get(invoice_id=invoice_id)
        paginator = ContinuationPagination()
        lines = selectors.invoice_lines(invoice=invoice)
        page = paginator.paginate_queryset(
            lines if holds_lines else lines.none(), request, view=self
        )
        return paginator.get_paginated_response(
            [line_item_representation(line, invoice_number=invoice.number) for line in page]
        )


class InvoiceProviderLineItemListApi(InvoiceLineItemListApi):
    @extend_schema(
        responses=collection_of(InvoiceLineItemOutput),
        summary="The invoice's line items of one provider and type, as Partner Center names them",
        operation_id="invoices_lineitems_by_provider_list",
        parameters=PAGING_PARAMETERS,
    )
    def get(self, request, invoice_id, provider, line_item_type):
        return super().get(
            request, invoice_id, provider=provider, line_item_type=line_item_type
        )


class InvoiceStatementApi(APIView):
    required_action = Action.VIEW_INVOICES

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The invoice as issued."
            ),
            202: OpenApiResponse(
                StatementPreparingOutput,
                description="The PDF is being prepared; retry after `Retry-After` seconds.",
            ),
        },
        summary="The invoice's PDF, the same bytes every time",
    )
    def get(self, request, invoice_id):
        invoice = selectors.invoice_get(invoice_id=invoice_id)
        if not invoice.has_pdf:
            response = JsonResponse(
                {
                    "status": "preparing",
                    "code": "document_being_prepared",
                    "detail": _("The PDF of this invoice is being prepared. Try again shortly."),
                },
                status=202,
            )
            response["Retry-After"] = str(PDF_RETRY_AFTER_SECONDS)
            return response
        return invoice_pdf_response(invoice)


class UnbilledLineItemListApi(APIView):
    required_action = Action.VIEW_INVOICES

    @extend_schema(
        responses=collection_of(InvoiceLineItemOutput),
        summary="What the next invoice holds so far: charges and credits not yet invoiced",
        parameters=[OpenApiParameter("currencyCode", str, description="e.g. EUR; all if absent")],
    )
    def get(self, request):
        currency_code = request.query_params.get("currencyCode", "").strip().upper()
        if currency_code and not is_currency(currency_code):
            raise PortalError(
                _("currencyCode must be an ISO 4217 currency code, such as EUR."),
                code="invalid_currency_code",
                field="currencyCode",
            )
        items = [
            line_item_representation(line, invoice_number=None)
            for next_invoice in selectors.unbilled(currency_code=currency_code or None)
            for line in next_invoice.lines
        ]
        # One month of a partner's activity: bounded, so one answer rather than pages.
        return Response(whole_collection(items, request=request))
