from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.access import requires
from core.errors import PortalError
from core.roles import Action

from . import selectors, services
from .forms import PROFILE_FIELDS, CustomerForm
from .selectors import customer_get

PAGE_SIZE = 25
CUSTOMER_TABS = ("software", "orders", "service-requests")


def _profile(form) -> services.CustomerProfile:
    return services.CustomerProfile(**{field: form.cleaned_data[field] for field in PROFILE_FIELDS})


@requires(Action.VIEW_CUSTOMERS)
def customer_list_view(request):
    search = request.GET.get("q", "")[:200]
    page = Paginator(selectors.customer_list(search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "customers/customer_list.html", {"page": page, "search": search})


@requires(Action.EDIT_CUSTOMERS)
@require_http_methods(["GET", "POST"])
def customer_create_view(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                partner=request.user.partner,
                actor=request.user,
                entra_tenant_id=form.cleaned_data["entra_tenant_id"],
                profile=_profile(form),
            )
        except PortalError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("Customer %(name)s added.") % {"name": customer.company_name}
            )
            return redirect("customers:detail", customer_id=customer.entra_tenant_id)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@requires(Action.EDIT_CUSTOMERS)
@require_http_methods(["GET", "POST"])
def customer_edit_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
    form = CustomerForm(request.POST or None, instance=customer, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(
                partner=request.user.partner,
                actor=request.user,
                customer_id=customer.entra_tenant_id,
                profile=_profile(form),
            )
        except PortalError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Customer details saved."))
            return redirect("customers:detail", customer_id=customer.entra_tenant_id)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@requires(Action.VIEW_CUSTOMERS)
def customer_detail_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
    return render(
        request, "customers/customer_detail.html", {"customer": customer, "active_tab": "profile"}
    )
