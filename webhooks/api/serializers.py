from rest_framework import serializers

from core.api.partner_center import ObjectTypeField
from webhooks.models import Delivery, Endpoint, EventType


class EndpointInput(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    description = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    eventTypes = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.values), allow_empty=False
    )


class EndpointOutput(serializers.Serializer):
    id = serializers.CharField()
    url = serializers.CharField()
    description = serializers.CharField()
    eventTypes = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField(help_text="`enabled` or `disabled`.")
    createdDate = serializers.DateTimeField()
    failingSince = serializers.DateTimeField(allow_null=True)
    disabledDate = serializers.DateTimeField(allow_null=True)
    previousSecretExpiresDate = serializers.DateTimeField(allow_null=True)
    attributes = ObjectTypeField("WebhookEndpoint")

    def to_representation(self, instance: Endpoint) -> dict:
        return super().to_representation({
            "id": instance.pk, "url": instance.url, "description": instance.description,
            "eventTypes": instance.event_types,
            "status": "enabled" if instance.is_enabled else "disabled",
            "createdDate": instance.created_at, "failingSince": instance.failing_since,
            "disabledDate": instance.disabled_at,
            "previousSecretExpiresDate": instance.previous_secret_expires_at,
        })


class EndpointWithSecretOutput(EndpointOutput):
    secret = serializers.CharField(help_text="Shown in this answer only: store it now.")


class AttemptOutput(serializers.Serializer):
    attemptNumber = serializers.IntegerField(source="number")
    attemptedDate = serializers.DateTimeField(source="attempted_at")
    status = serializers.CharField()
    responseCode = serializers.IntegerField(source="response_code", allow_null=True)
    durationMs = serializers.IntegerField(source="duration_ms")
    error = serializers.CharField()


class DeliveryOutput(serializers.Serializer):
    id = serializers.CharField()
    webhookId = serializers.CharField()
    eventType = serializers.CharField()
    status = serializers.CharField(help_text="`pending`, `delivered` or `failed`.")
    attempts = serializers.IntegerField()
    createdDate = serializers.DateTimeField()
    nextAttemptDate = serializers.DateTimeField(allow_null=True)
    deliveredDate = serializers.DateTimeField(allow_null=True)
    payload = serializers.DictField()
    attemptLog = AttemptOutput(many=True)
    attributes = ObjectTypeField("WebhookDelivery")

    def to_representation(self, instance: Delivery) -> dict:
        return super().to_representation({
            "id": instance.pk, "webhookId": instance.webhook_id, "eventType": instance.event_type,
            "status": instance.status, "attempts": instance.attempts,
            "createdDate": instance.created_at, "nextAttemptDate": instance.next_attempt_at,
            "deliveredDate": instance.delivered_at, "payload": instance.payload,
            "attemptLog": list(instance.attempt_log.all()),
        })
