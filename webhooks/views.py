from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import requires
from core.errors import PortalError
from core.roles import Action
from core.shown_once import shown_once_keep, shown_once_take

from . import selectors, services
from .forms import EndpointForm

# The secret a create or a rotation made, kept for the page the redirect leads to.
_NEW_SECRET = "webhooks.new_secret"


@requires(Action.MANAGE_WEBHOOKS)
@require_http_methods(["GET", "POST"])
def endpoint_list_view(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                partner=request.user.partner, actor=request.user, url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
            )
        except PortalError as error:
            form.add_error("event_types" if error.field == "eventTypes" else error.field,
                           error.message)
        else:
            shown_once_keep(request, name=_NEW_SECRET,
                            value={"endpoint_id": endpoint.pk, "secret": secret})
            return redirect("webhooks:endpoint_list")
    endpoints = selectors.endpoint_list()
    created = shown_once_take(request, name=_NEW_SECRET) or {}
    return render(request, "webhooks/endpoint_list.html", {
        "form": form, "endpoints": endpoints,
        "new_endpoint": next((e for e in endpoints if e.pk == created.get("endpoint_id")), None),
        "new_secret": created.get("secret"),
    })


@requires(Action.MANAGE_WEBHOOKS)
def endpoint_detail_view(request, endpoint_id: int):
    endpoint = selectors.endpoint_get(endpoint_id=endpoint_id)
    rotated = shown_once_take(request, name=_NEW_SECRET) or {}
    return render(request, "webhooks/endpoint_detail.html", {
        "endpoint": endpoint, "deliveries": selectors.delivery_list(endpoint=endpoint),
        "new_secret": rotated.get("secret") if rotated.get("endpoint_id") == endpoint.pk else None,
    })


@requires(Action.MANAGE_WEBHOOKS)
@require_POST
def endpoint_rotate_view(request, endpoint_id: int):
    endpoint, secret = services.endpoint_secret_rotate(
        partner=request.user.partner, actor=request.user, endpoint_id=endpoint_id
    )
    shown_once_keep(request, name=_NEW_SECRET, value={"endpoint_id": endpoint.pk, "secret": secret})
    return redirect("webhooks:endpoint_detail", endpoint_id=endpoint.pk)


@requires(Action.MANAGE_WEBHOOKS)
@require_POST
def endpoint_enable_view(request, endpoint_id: int):
    services.endpoint_enable(
        partner=request.user.partner, actor=request.user, endpoint_id=endpoint_id
    )
    messages.success(request, _("The endpoint is enabled; what it is owed is being sent."))
    return redirect("webhooks:endpoint_detail", endpoint_id=endpoint_id)


@requires(Action.MANAGE_WEBHOOKS)
@require_POST
def endpoint_delete_view(request, endpoint_id: int):
    services.endpoint_delete(
        partner=request.user.partner, actor=request.user, endpoint_id=endpoint_id
    )
    messages.success(request, _("The endpoint is deleted."))
    return redirect("webhooks:endpoint_list")


@requires(Action.MANAGE_WEBHOOKS)
@require_POST
def delivery_redeliver_view(request, endpoint_id: int, delivery_id: int):
    delivery = services.delivery_redeliver(
        partner=request.user.partner, endpoint_id=endpoint_id, delivery_id=delivery_id
    )
    messages.success(
        request, _("Event %(id)s is being sent again.") % {"id": delivery.webhook_id}
    )
    return redirect("webhooks:endpoint_detail", endpoint_id=endpoint_id)
