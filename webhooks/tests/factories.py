import factory

from partners.tests.factories import PartnerFactory, PartnerOwnedFactory
from webhooks.events import webhook_id_new
from webhooks.models import Delivery, Endpoint, EventType
from webhooks.services import secret_encrypt

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class EndpointFactory(PartnerOwnedFactory):
    class Meta:
        model = Endpoint

    partner = factory.SubFactory(PartnerFactory)
    url = "https://hooks.example.com/portal"
    event_types = factory.LazyFunction(lambda: list(EventType.values))
    secret_encrypted = factory.LazyFunction(lambda: secret_encrypt(SECRET))


class DeliveryFactory(PartnerOwnedFactory):
    class Meta:
        model = Delivery

    endpoint = factory.SubFactory(EndpointFactory)
    partner = factory.LazyAttribute(lambda d: d.endpoint.partner)
    webhook_id = factory.LazyFunction(webhook_id_new)
    event_type = EventType.ORDER_CREATED
    payload = factory.LazyFunction(
        lambda: {"type": "order.created", "timestamp": "2026-01-01T00:00:00Z", "data": {}}
    )
