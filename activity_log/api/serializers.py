from __future__ import annotations

import json
from datetime import UTC

from rest_framework import serializers

from activity.models import Event, OperationType, ResourceType
from core.api.partner_center import ObjectTypeField

# Partner Center's resource types (auditing-resources.md) that name one of the portal's, keyed
# without case or underscores: its SDK sends the enum's name (`PartnerUser`), its REST docs
# the snake-case value (`partner_user`).
_PARTNER_CENTER_RESOURCE_TYPES = {
    "partneruser": ResourceType.USER,
    "customeruser": ResourceType.USER,
    "application": ResourceType.API_TOKEN,
    "applicationcredential": ResourceType.API_TOKEN,
    "softwarekey": ResourceType.SOFTWARE,
    "softwaredownload": ResourceType.SOFTWARE,
    "servicerequest": ResourceType.SERVICE_REQUEST,
    "auditrecord": ResourceType.ACTIVITY_LOG,
}


def resource_type_of(value: str) -> str:
    """Return the portal's resource type for a Partner Center one, in any casing."""
    key = value.replace("_", "").lower()
    known = {kind.replace("_", ""): kind for kind in ResourceType.values}
    return str(_PARTNER_CENTER_RESOURCE_TYPES.get(key) or known.get(key, value))


class AuditRecordOutput(serializers.Serializer):
    """One event in Partner Center's audit record shape."""

    id = serializers.UUIDField()
    partnerId = serializers.SerializerMethodField()
    customerId = serializers.UUIDField(source="customer.entra_tenant_id", allow_null=True,
                                       default=None)
    customerName = serializers.CharField(source="customer.company_name", allow_null=True,
                                         default=None)
    userPrincipalName = serializers.CharField(
        source="actor_email", help_text="Empty for an anonymous holder of a download link."
    )
    resourceType = serializers.ChoiceField(source="resource_type", choices=ResourceType.choices)
    operationType = serializers.ChoiceField(source="operation_type", choices=OperationType.choices)
    operationDate = serializers.DateTimeField(source="occurred_at", default_timezone=UTC)
    operationStatus = serializers.CharField(source="operation_status")
    ipAddress = serializers.IPAddressField(source="ip_address", allow_null=True)
    userAgent = serializers.CharField(source="user_agent")
    originalCorrelationId = serializers.CharField(source="correlation_id")
    customizedData = serializers.SerializerMethodField()
    attributes = ObjectTypeField("AuditRecord")

    def get_partnerId(self, event: Event) -> int:
        return self.context["partner_number"]

    def get_customizedData(self, event: Event) -> list[dict[str, str]]:
        pairs = [{"key": "objectId", "value": event.object_id}] if event.object_id else []
        details = event.details if isinstance(event.details, dict) else {}
        return pairs + [
            {"key": key, "value": value if isinstance(value, str) else json.dumps(value)}
            for key, value in details.items()
        ]
