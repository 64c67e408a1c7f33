from django.http import Http404
from django.shortcuts import render

from core.errors import PortalError
from customers.selectors import customer_get
from orders.selectors import purchase_list
from partners.access import requires
from partners.roles import Action


@requires(Action.VIEW_CUSTOMERS)
def customer_software_view(request, customer_id):
    try:
        customer = customer_get(customer_id=customer_id)
    except PortalError as error:
        raise Http404(error.message) from error
    return render(
        request,
        "software/customer_software.html",
        {
            "customer": customer,
            "purchases": purchase_list(customer=customer),
            "active_tab": "software",
        },
    )
