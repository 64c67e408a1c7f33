"""Customers: found by company name, tenant GUID or domain; created and edited with validation."""

import uuid

import pytest

from activity.models import Event, OperationType
from core.errors import PortalError
from core.tenancy import partner_scope
from customers.models import Customer
from customers.services import customer_create
from customers.tests.factories import CustomerFactory, customer_profile

VALID_FORM = {
    "entra_tenant_id": "0f4e3c1a-9b7d-4c2e-8a61-2d5f0b9e7c34",
    "company_name": "Fourth Coffee S.r.l.",
    "primary_domain": "FourthCoffee.onmicrosoft.com",
    "country": "IT",
    "contact_name": "Luca Bianchi",
    "contact_email": "luca@fourthcoffee.example",
    "contact_phone": "+39 02 1234567",
    "address_line1": "Via Dante 3",
    "address_line2": "",
    "city": "Milano",
    "region": "MI",
    "postal_code": "20123",
}


@pytest.fixture
def customers(owner_partner):
    return [
        CustomerFactory(
            partner=owner_partner,
            company_name="Contoso Italia",
            primary_domain="contoso.onmicrosoft.com",
        ),
        CustomerFactory(
            partner=owner_partner,
            company_name="Fabrikam Retail",
            primary_domain="fabrikamretail.onmicrosoft.com",
        ),
        CustomerFactory(
            partner=owner_partner,
            company_name="Tailspin Toys",
            primary_domain="tailspin.example.com",
        ),
    ]


def _names(response):
    return [c.company_name for c in response.context["page"]]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("contoso", ["Contoso Italia"]),
        ("RETAIL", ["Fabrikam Retail"]),
        ("tailspin.example", ["Tailspin Toys"]),
        ("fabrikamretail.onmicrosoft.com", ["Fabrikam Retail"]),
        ("", ["Contoso Italia", "Fabrikam Retail", "Tailspin Toys"]),
        ("nobody", []),
    ],
)
def test_customers_are_found_by_name_or_domain(
    customers, global_admin, client_for, search, expected
):
    response = client_for(global_admin).get("/customers/", {"q": search})
    assert _names(response) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ärzte", ["Ärzte Zürich AG"]),
        ("ZÜRICH", ["Ärzte Zürich AG"]),
        ("società", ["SOCIETÀ AGRICOLA SANTA CHIARA"]),
        ("0% s", ["Sconto 50% S.r.l."]),
        ("s_r", []),
        ("_", []),
    ],
)
def test_the_search_folds_case_beyond_ascii_and_takes_wildcards_literally(
    owner_partner, global_admin, client_for, search, expected
):
    # The same answers on the embedded default's SQLite as on PostgreSQL.
    for name in ("Ärzte Zürich AG", "SOCIETÀ AGRICOLA SANTA CHIARA", "Sconto 50% S.r.l."):
        CustomerFactory(partner=owner_partner, company_name=name)
    response = client_for(global_admin).get("/customers/", {"q": search})
    assert _names(response) == expected


def test_customers_are_found_by_tenant_guid(customers, global_admin, client_for):
    target = customers[2]
    response = client_for(global_admin).get(
        "/customers/", {"q": str(target.entra_tenant_id).upper()}
    )
    assert _names(response) == ["Tailspin Toys"]


def test_another_partners_customers_never_appear(customers, outsider, client_for):
    CustomerFactory(partner=outsider.partner, company_name="Contoso Outsider")
    response = client_for(outsider).get("/customers/", {"q": "contoso"})
    assert _names(response) == ["Contoso Outsider"]


def test_a_customer_is_created_validated_and_recorded(role_users, client_for):
    from core.roles import Role

    sales = role_users[Role.SALES_AGENT]
    response = client_for(sales).post("/customers/new/", VALID_FORM)
    assert response.status_code == 302
    with partner_scope(sales.partner):
        customer = Customer.objects.get()
        [event] = Event.objects.filter(operation_type=OperationType.CREATE_CUSTOMER)
    assert customer.primary_domain == "fourthcoffee.onmicrosoft.com"
    assert response["Location"] == f"/customers/{customer.entra_tenant_id}/"
    assert (event.customer, event.actor) == (customer, sales)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("entra_tenant_id", "not-a-guid", b"valid UUID"),
        ("primary_domain", "not a domain", b"valid domain"),
        ("primary_domain", "-bad-.example", b"valid domain"),
        ("contact_email", "nobody", b"valid email"),
        ("company_name", "", b"required"),
        ("country", "ZZ", b"valid choice"),
    ],
)
def test_invalid_customer_input_is_refused_with_a_message(
    global_admin, client_for, field, value, message
):
    response = client_for(global_admin).post("/customers/new/", {**VALID_FORM, field: value})
    assert response.status_code == 200
    assert message in response.content
    with partner_scope(global_admin.partner):
        assert not Customer.objects.exists()


def test_a_tenant_guid_is_unique_within_a_partner_but_not_across(
    global_admin, outsider, client_for
):
    assert client_for(global_admin).post("/customers/new/", VALID_FORM).status_code == 302
    again = client_for(global_admin).post("/customers/new/", VALID_FORM)
    assert b"already have a customer with this tenant ID" in again.content
    assert client_for(outsider).post("/customers/new/", VALID_FORM).status_code == 302
    assert (
        Customer.objects.all_partners()
        .filter(entra_tenant_id=VALID_FORM["entra_tenant_id"])
        .count()
        == 2
    )


def test_a_customer_is_edited_and_the_change_recorded(customers, global_admin, client_for):
    customer = customers[0]
    response = client_for(global_admin).post(
        f"/customers/{customer.entra_tenant_id}/edit/",
        {**VALID_FORM, "company_name": "Contoso Italia S.p.A."},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.company_name == "Contoso Italia S.p.A."
    assert customer.entra_tenant_id != uuid.UUID(VALID_FORM["entra_tenant_id"])
    with partner_scope(global_admin.partner):
        [event] = Event.objects.filter(operation_type=OperationType.UPDATE_CUSTOMER)
    assert "company_name" in event.details["changedFields"]


def test_the_service_refuses_a_malformed_guid_and_stores_nothing(global_admin):
    profile = customer_profile()
    with partner_scope(global_admin.partner), pytest.raises(PortalError) as error:
        customer_create(
            partner=global_admin.partner,
            actor=global_admin,
            entra_tenant_id="123",
            profile=profile,
        )
    assert error.value.code == "invalid_tenant_id"
    assert not Customer.objects.all_partners().exists()


def test_malformed_customer_id_in_the_url_is_404(global_admin, client_for):
    assert client_for(global_admin).get("/customers/not-a-guid/").status_code == 404
