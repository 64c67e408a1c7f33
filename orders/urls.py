from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [path("invoices/", views.invoice_list_view, name="invoice_list")]
