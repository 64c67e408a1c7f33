from __future__ import annotations

import json
from datetime import UTC

from rest_framework import serializers

from activity.models import Event, OperationType, ResourceType


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

    def get_partnerId(self, event: Event) -> int:
        return self.context["partner_number"]

    def get_customizedData(self, event: Event) -> list[dict[str, str]]:
        pairs = [{"key": "objectId", "value": event.object_id}] if event.object_id else []
        details = event.details if isinstance(event.details, dict) else {}
        return pairs + [
            {"key": key, "value": value if isinstance(value, str) else json.dumps(value)}
            for key, value in details.items()
        ]
