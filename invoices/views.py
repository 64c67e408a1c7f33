from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from core.access import requires
from core.roles import Action

from . import selectors
from .chart import monthly_chart
from .figures import invoice_totals, lines_by_customer, tax_by_market
from .responses import PDF_RETRY_AFTER_SECONDS, invoice_pdf_response
from .selectors import invoice_get

INVOICES_PER_PAGE = 24


@requires(Action.VIEW_INVOICES)
def invoice_list_view(request):
    page = Paginator(selectors.invoice_list(), INVOICES_PER_PAGE).get_page(request.GET.get("page"))
    spend = selectors.spend_figures(
        partner=request.user.partner, currency_code=request.GET.get("currency", ""),
        at=timezone.now(),
    )
    chart = monthly_chart(figures=spend.months, currency_code=spend.currency_code)
    currencies = spend.currencies
    return render(
        request,
        "invoices/invoice_list.html",
        {
            "page": page,
            "chart": chart,
            "currencies": currencies,
            "next_invoices": selectors.unbilled(),
            "active_tab": "invoices",
        },
    )


@requires(Action.VIEW_INVOICES)
def unbilled_view(request):
    return render(
        request,
        "invoices/unbilled.html",
        {"next_invoices": selectors.unbilled(), "active_tab": "unbilled"},
    )


@requires(Action.VIEW_INVOICES)
def invoice_detail_view(request, invoice_id):
    invoice = invoice_get(invoice_id=invoice_id)
    lines = list(selectors.invoice_lines(invoice=invoice))
    return render(
        request,
        "invoices/invoice_detail.html",
        {
            "invoice": invoice,
            "totals": invoice_totals(invoice),
            "groups": lines_by_customer(lines),
            "tax_rows": tax_by_market(lines),
            "active_tab": "invoices",
        },
    )


@requires(Action.VIEW_INVOICES)
def invoice_pdf_view(request, invoice_id):
    invoice = invoice_get(invoice_id=invoice_id)
    if not invoice.has_pdf:
        response = render(request, "invoices/pdf_pending.html", {"invoice": invoice}, status=202)
        response["Retry-After"] = str(PDF_RETRY_AFTER_SECONDS)
        return response
    return invoice_pdf_response(invoice)
