import uuid

import factory

from customers.models import Customer
from partners.tests.factories import PartnerFactory, PartnerOwnedFactory


class CustomerFactory(PartnerOwnedFactory):
    class Meta:
        model = Customer

    partner = factory.SubFactory(PartnerFactory)
    entra_tenant_id = factory.LazyFunction(uuid.uuid4)
    company_name = factory.Sequence(lambda n: f"Contoso {n} S.p.A.")
    primary_domain = factory.Sequence(lambda n: f"contoso{n}.onmicrosoft.com")
    country = "IT"
    contact_name = "Maria Rossi"
    contact_email = factory.Sequence(lambda n: f"it{n}@contoso.example")
    address_line1 = "Via Roma 1"
    city = "Milano"
    postal_code = "20121"
