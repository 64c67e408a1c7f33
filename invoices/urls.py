from django.urls import path

from . import views

app_name = "invoices"
urlpatterns = [
    path("invoices/", views.invoice_list_view, name="invoice_list"),
    # Before the invoice routes: "unbilled" is not an invoice number.
    path("invoices/unbilled/", views.unbilled_view, name="unbilled"),
    path("invoices/<str:invoice_id>/", views.invoice_detail_view, name="invoice_detail"),
    path("invoices/<str:invoice_id>/pdf/", views.invoice_pdf_view, name="invoice_pdf"),
]
