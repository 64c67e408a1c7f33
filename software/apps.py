from django.apps import AppConfig


class SoftwareConfig(AppConfig):
    name = "software"

    def ready(self):
        from webhooks.events import representation_register
        from webhooks.models import EventType

        from .webhook_data import download_link_data

        representation_register(EventType.DOWNLOAD_LINK_ISSUED, download_link_data)
