import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from catalog.policy import MARKET_UNAVAILABLE
from catalog.selectors import catalogue_for_market, market_get
from catalog.target_views import TargetView
from core.access import requires
from core.errors import PortalError
from core.roles import Action
from customers.selectors import customer_get

from . import cart, selectors
from .forms import AddProductsFilterForm, AddToCartForm, PlaceOrderForm, RemoveFromCartForm
from .links import cancellation_support_request_url
from .quotes import order_quote
from .services.cancellation import order_cancel
from .services.placing import order_place_once

ORDERS_PER_PAGE = 20


@requires(Action.VIEW_CUSTOMERS)
def customer_orders_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
    page = Paginator(selectors.order_list(customer=customer), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "orders/customer_orders.html",
        {"customer": customer, "page": page, "active_tab": "orders"},
    )


@requires(Action.VIEW_CUSTOMERS)
def order_detail_view(request, customer_id, order_id):
    customer = customer_get(customer_id=customer_id)
    order = selectors.order_get(customer=customer, order_id=order_id)
    facts = selectors.cancellation_facts(customer=customer, orders=[order], at=timezone.now())
    lines = [(line, facts[line.pk]) for line in order.lines.all()]
    return render(
        request,
        "orders/order_detail.html",
        {
            "customer": customer,
            "order": order,
            "lines": lines,
            "active_tab": "orders",
            "just_placed": request.GET.get("placed") == "1",
        },
    )


@requires(Action.BUY_SOFTWARE)
def add_products_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
    market = market_get(country=customer.country.code)
    form = AddProductsFilterForm(request.GET)
    target_view, query = None, ""
    if form.is_valid():
        target_view = (
            TargetView(form.cleaned_data["targetView"]) if form.cleaned_data["targetView"] else None
        )
        query = form.cleaned_data["q"]
    entries = catalogue_for_market(market=market, target_view=target_view, query=query)
    return render(
        request,
        "orders/add_products.html",
        {
            "customer": customer,
            "market": market,
            "entries": entries,
            "form": form,
            "cart_size": len(cart.cart_lines(request.session, customer)),
        },
    )


@requires(Action.BUY_SOFTWARE)
@require_POST
def cart_add_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a quantity of at least 1."))
        return redirect("orders:add_products", customer_id=customer.entra_tenant_id)
    line = cart.LineRequest(
        offer_id=form.cleaned_data["offer_id"], quantity=form.cleaned_data["quantity"]
    )
    try:
        # Checked now so the partner hears of an unavailable product before the review.
        order_quote(customer=customer, lines=[line])
    except PortalError as error:
        # The message then links to the markets where Azure reservations are not sold.
        tags = "market-unavailable" if error.code == MARKET_UNAVAILABLE else ""
        messages.error(request, error.message, extra_tags=tags)
        return redirect("orders:add_products", customer_id=customer.entra_tenant_id)
    cart.cart_add(request.session, customer, offer_id=line.offer_id, quantity=line.quantity)
    messages.success(request, _("Added to the cart."))
    return redirect("orders:add_products", customer_id=customer.entra_tenant_id)


@requires(Action.BUY_SOFTWARE)
def cart_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
    if request.method == "POST":
        form = RemoveFromCartForm(request.POST)
        if form.is_valid():
            cart.cart_remove(request.session, customer, offer_id=form.cleaned_data["offer_id"])
        return redirect("orders:cart", customer_id=customer.entra_tenant_id)
    lines = cart.cart_lines(request.session, customer)
    quote, problem = None, None
    if lines:
        try:
            quote = order_quote(customer=customer, lines=lines)
        except PortalError as error:
            problem = error
    return render(
        request,
        "orders/cart.html",
        {
            "customer": customer,
            "quote": quote,
            "problem": problem,
            "lines": lines,
            "place_form": PlaceOrderForm(initial={"submission_id": uuid.uuid4()}),
        },
    )


@requires(Action.BUY_SOFTWARE)
@require_POST
def order_place_view(request, customer_id):
    customer = customer_get(customer_id=customer_id)
    form = PlaceOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The review page expired. Review the order again."))
        return redirect("orders:cart", customer_id=customer.entra_tenant_id)
    try:
        order = order_place_once(
            partner=request.user.partner,
            actor=request.user,
            customer=customer,
            lines=cart.cart_lines(request.session, customer),
            key=f"web:{form.cleaned_data['submission_id']}",
        )
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("orders:cart", customer_id=customer.entra_tenant_id)
    cart.cart_clear(request.session, customer)
    detail = reverse(
        "orders:order_detail",
        kwargs={"customer_id": customer.entra_tenant_id, "order_id": order.id},
    )
    return redirect(f"{detail}?placed=1")


@requires(Action.CANCEL_PURCHASE)
@require_http_methods(["GET", "POST"])
def purchase_cancel_view(request, customer_id, purchase_id):
    customer = customer_get(customer_id=customer_id)
    dialog = selectors.cancellation_dialog_get(
        customer=customer,
        purchase_id=purchase_id,
        chosen_id=request.POST.get("purchase") or request.GET.get("order"),
        at=timezone.now(),
    )
    chosen = dialog.chosen
    if request.method == "POST":
        try:
            order_cancel(
                partner=request.user.partner,
                actor=request.user,
                customer=customer,
                order_id=chosen.order_id,
                line_numbers=[chosen.line_number],
                acknowledged=request.POST.get("acknowledged") == "on",
            )
        except PortalError as error:
            messages.error(request, error.message)
        else:
            return render(
                request,
                "orders/cancel_submitted.html",
                {"customer": customer, "purchase": chosen, "active_tab": "software"},
            )
    template = (
        "orders/_cancel_dialog.html" if request.GET.get("fragment") == "1" else "orders/cancel.html"
    )
    return render(
        request,
        template,
        {
            "customer": customer,
            "clicked": dialog.clicked,
            "choices": dialog.choices,
            "chosen": chosen,
            "facts": dialog.facts,
            "active_tab": "software",
            "support_url": cancellation_support_request_url(customer=customer, purchase=chosen),
        },
    )
