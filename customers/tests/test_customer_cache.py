"""A customer is read from the cache, and every change to it counts on the next request."""

import pytest
from django.core.cache import cache

from core.errors import NotFound
from core.tenancy import partner_scope
from customers.models import Customer
from customers.selectors import customer_copy_key, customer_get, customer_version_key
from customers.services import customer_update
from customers.tests.factories import CustomerFactory, customer_profile

pytestmark = pytest.mark.django_db



@pytest.fixture
def customer(owner_partner):
    return CustomerFactory(partner=owner_partner)


def test_a_customer_read_again_reads_no_row(customer, django_assert_num_queries):
    with partner_scope(customer.partner):
        customer_get(customer_id=str(customer.entra_tenant_id))
        with django_assert_num_queries(0):
            again = customer_get(customer_id=str(customer.entra_tenant_id))
    assert again.pk == customer.pk and again.company_name == customer.company_name


def test_a_change_to_the_customer_shows_on_the_next_read(customer, global_admin):
    with partner_scope(customer.partner):
        customer_get(customer_id=str(customer.entra_tenant_id))
        customer_update(
            partner=customer.partner, actor=global_admin, customer_id=customer.entra_tenant_id,
            profile=customer_profile(country="DE", city="Berlin"),
        )
        changed = customer_get(customer_id=str(customer.entra_tenant_id))
    assert (changed.country.code, changed.city) == ("DE", "Berlin")


def test_another_partners_customer_stays_not_found_once_its_owner_has_read_it(
    customer, outsider_partner
):
    with partner_scope(customer.partner):
        customer_get(customer_id=str(customer.entra_tenant_id))
    with partner_scope(outsider_partner), pytest.raises(NotFound):
        customer_get(customer_id=str(customer.entra_tenant_id))


def test_a_copy_read_before_a_change_and_stored_after_it_is_never_used(customer):
    key = (customer.partner_id, customer.entra_tenant_id)
    with partner_scope(customer.partner):
        customer_get(customer_id=str(customer.entra_tenant_id))
        version_before = cache.get(customer_version_key(*key))
        as_it_was = Customer.objects.get(pk=customer.pk)
        customer.company_name = "Renamed S.p.A."
        customer.save()
        cache.set(customer_copy_key(*key), (version_before, as_it_was))
        assert customer_get(customer_id=str(customer.entra_tenant_id)).company_name == (
            "Renamed S.p.A."
        )
