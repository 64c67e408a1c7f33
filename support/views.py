from django.http import Http404
from django.shortcuts import render

from core.errors import PortalError
from customers.selectors import customer_get
from partners.access import requires
from partners.roles import Action


@requires(Action.FILE_SUPPORT_REQUESTS)
def request_list_view(request):
    return render(request, "support/request_list.html")


@requires(Action.TRIAGE_SUPPORT_REQUESTS)
def queue_view(request):
    return render(request, "support/queue.html")


@requires(Action.VIEW_CUSTOMERS)
def customer_requests_view(request, customer_id):
    try:
        customer = customer_get(customer_id=customer_id)
    except PortalError as error:
        raise Http404(error.message) from error
    return render(
        request,
        "support/customer_requests.html",
        {"customer": customer, "active_tab": "service-requests"},
    )
