from django.shortcuts import render

from partners.access import requires
from partners.roles import Action


@requires(Action.VIEW_CUSTOMERS)
def customer_list_view(request):
    return render(request, "customers/customer_list.html")
