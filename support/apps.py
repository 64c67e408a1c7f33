from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"

    def ready(self):
        from webhooks.events import representation_register
        from webhooks.models import EventType

        from .webhook_data import service_request_data

        representation_register(EventType.SERVICE_REQUEST_STATUS_CHANGED, service_request_data)
