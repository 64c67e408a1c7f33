from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from core.api.partner_center import (
    LinkOutput,
    ObjectTypeField,
    api_root,
    attributes,
    datetime_text,
    link,
)


class AddressSerializer(serializers.Serializer):
    country = serializers.CharField(max_length=2)
    city = serializers.CharField(max_length=100)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postalCode = serializers.CharField(max_length=20)
    addressLine1 = serializers.CharField(max_length=200)
    addressLine2 = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class CompanyProfileInput(serializers.Serializer):
    tenantId = serializers.CharField(max_length=64)
    domain = serializers.CharField(max_length=255)
    companyName = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    address = AddressSerializer()


class BillingProfileInput(serializers.Serializer):
    contactName = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class CustomerCreateInput(serializers.Serializer):
    companyProfile = CompanyProfileInput()
    billingProfile = BillingProfileInput(required=False)

    def to_internal_value(self, data):
        return super().to_internal_value(_with_partner_center_billing(data))


# Partner Center sends the company's name, e-mail and address in billingProfile (as
# companyName, email and defaultAddress with `state`); the portal keeps them on the company.
_FROM_BILLING = {"companyName": "companyName", "email": "email", "defaultAddress": "address"}


def _with_partner_center_billing(data):
    if not isinstance(data, dict) or not isinstance(data.get("billingProfile"), dict):
        return data
    billing = data["billingProfile"]
    company = data.get("companyProfile")
    company = dict(company) if isinstance(company, dict) else {}
    for source, target in _FROM_BILLING.items():
        if target not in company and source in billing:
            company[target] = billing[source]
    address = company.get("address")
    if isinstance(address, dict) and "state" in address and "region" not in address:
        company["address"] = {**address, "region": address["state"]}
    return {**data, "companyProfile": company}


class CustomerOutput(serializers.Serializer):
    id = serializers.UUIDField(source="entra_tenant_id")
    companyProfile = serializers.SerializerMethodField()
    billingProfile = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    attributes = ObjectTypeField("Customer")

    relationshipToPartner = serializers.SerializerMethodField(
        help_text="Partner Center's: the portal's partners resell to their customers."
    )
    links = serializers.SerializerMethodField()

    def get_relationshipToPartner(self, customer) -> str:
        return "reseller"

    @extend_schema_field(inline_serializer("CustomerLinks", {"self": LinkOutput()}))
    def get_links(self, customer) -> dict:
        return {"self": link(f"{api_root()}/customers/{customer.entra_tenant_id}")}

    def to_representation(self, customer) -> dict:
        # The fields above document the shape; walking them for each of a page's customers
        # cost more than the page's query.
        address = _address(customer)
        return {
            "id": str(customer.entra_tenant_id),
            "companyProfile": self.get_companyProfile(customer, address),
            "billingProfile": self.get_billingProfile(customer, address),
            "createdAt": datetime_text(customer.created_at),
            "relationshipToPartner": self.get_relationshipToPartner(customer),
            "links": self.get_links(customer),
            "attributes": attributes("Customer"),
        }

    def get_companyProfile(self, customer, address: dict | None = None) -> dict:
        return {
            "tenantId": str(customer.entra_tenant_id),
            "domain": customer.primary_domain,
            "companyName": customer.company_name,
            "email": customer.contact_email,
            "address": address or _address(customer),
            "attributes": attributes("CustomerCompanyProfile"),
        }

    def get_billingProfile(self, customer, address: dict | None = None) -> dict:
        return {
            "contactName": customer.contact_name,
            "email": customer.contact_email,
            "phone": customer.contact_phone,
            # Partner Center keeps the company's name and address on the billing profile too.
            "companyName": customer.company_name,
            "defaultAddress": {**(address or _address(customer)), "state": customer.region},
            "attributes": attributes("CustomerBillingProfile"),
        }


def _address(customer) -> dict:
    return {
        "country": customer.country.code,
        "city": customer.city,
        "region": customer.region,
        "postalCode": customer.postal_code,
        "addressLine1": customer.address_line1,
        "addressLine2": customer.address_line2,
    }
