"""What the "service request status changed" webhook event carries: the request as the API
shapes it, without its conversation (internal notes must never leave)."""

from __future__ import annotations

from .api.serializers import service_request_representation
from .models import ServiceRequest


def service_request_data(service_request: ServiceRequest) -> dict:
    """Shape the request as GET /v1/servicerequests/{id} does, conversation left out."""
    return service_request_representation(service_request, with_conversation=False)
