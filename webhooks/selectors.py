from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound

from .models import Attempt, Delivery, Endpoint

# The log shows the latest deliveries; older ones stay in the database for the operator.
DELIVERY_LOG_SIZE = 100


def endpoint_list() -> QuerySet[Endpoint]:
    """Return the partner's webhook endpoints, oldest first."""
    return Endpoint.objects.order_by("created_at", "pk")


def endpoint_get(*, endpoint_id: int) -> Endpoint:
    """Return one of the partner's endpoints; NotFound for any other id."""
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("There is no such webhook endpoint."))
    return endpoint


def delivery_list(*, endpoint: Endpoint) -> list[Delivery]:
    """Return the endpoint's latest deliveries, newest first, each with its attempts."""
    attempts = Prefetch("attempt_log", queryset=Attempt.objects.order_by("-number"))
    return list(
        Delivery.objects.filter(endpoint=endpoint)
        .order_by("-created_at", "-pk")
        .prefetch_related(attempts)[:DELIVERY_LOG_SIZE]
    )
