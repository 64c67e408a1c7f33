import uuid
from dataclasses import replace

import factory

from customers.models import Customer
from customers.services import CustomerProfile
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


def customer_profile(**changes) -> CustomerProfile:
    """A profile with every required field, for the services' tests; `changes` override it."""
    return replace(
        CustomerProfile(
            company_name="Fabrikam Italia S.r.l.",
            primary_domain="fabrikam.onmicrosoft.com",
            country="IT",
            contact_email="it@fabrikam.example",
            address_line1="Via Roma 1",
            city="Milano",
            postal_code="20121",
        ),
        **changes,
    )
