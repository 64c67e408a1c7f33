from django.shortcuts import render

from partners.access import requires
from partners.roles import Action


@requires(Action.VIEW_INVOICES)
def invoice_list_view(request):
    return render(request, "orders/invoice_list.html")
