import factory
from django.utils import timezone

from activity.models import Event, OperationType, ResourceType
from partners.tests.factories import PartnerFactory, PartnerOwnedFactory


class EventFactory(PartnerOwnedFactory):
    class Meta:
        model = Event

    partner = factory.SubFactory(PartnerFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    actor_email = factory.Sequence(lambda n: f"user{n}@partner.example")
    ip_address = "198.51.100.7"
    user_agent = "pytest/1"
    correlation_id = factory.Sequence(lambda n: f"corr-{n}")
    operation_type = OperationType.SIGN_IN
    resource_type = ResourceType.USER
