from django.urls import path

from . import views

urlpatterns = [
    path("invoices", views.InvoiceListApi.as_view(), name="invoice-list"),
    # Before the invoice routes: "unbilled" is not an invoice number.
    path(
        "invoices/unbilled/lineitems",
        views.UnbilledLineItemListApi.as_view(),
        name="invoice-unbilled-lineitems",
    ),
    path("invoices/<str:invoice_id>", views.InvoiceApi.as_view(), name="invoice-get"),
    path(
        "invoices/<str:invoice_id>/lineitems",
        views.InvoiceLineItemListApi.as_view(),
        name="invoice-lineitems",
    ),
    path(
        "invoices/<str:invoice_id>/lineitems/<str:provider>/<str:line_item_type>",
        views.InvoiceProviderLineItemListApi.as_view(),
        name="invoice-provider-lineitems",
    ),
    path(
        "invoices/<str:invoice_id>/documents/statement",
        views.InvoiceStatementApi.as_view(),
        name="invoice-statement",
    ),
]
