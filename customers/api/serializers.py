from rest_framework import serializers


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


# One field for every date, as orders' representation does (orders/api/serializers.py).
_DATETIME = serializers.DateTimeField()


class CustomerOutput(serializers.Serializer):
    id = serializers.UUIDField(source="entra_tenant_id")
    companyProfile = serializers.SerializerMethodField()
    billingProfile = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")

    def to_representation(self, customer) -> dict:
        # The fields above document the shape; walking them for each of a page's customers
        # cost more than the page's query.
        return {
            "id": str(customer.entra_tenant_id),
            "companyProfile": self.get_companyProfile(customer),
            "billingProfile": self.get_billingProfile(customer),
            "createdAt": _DATETIME.to_representation(customer.created_at),
        }

    def get_companyProfile(self, customer) -> dict:
        return {
            "tenantId": str(customer.entra_tenant_id),
            "domain": customer.primary_domain,
            "companyName": customer.company_name,
            "email": customer.contact_email,
            "address": {
                "country": customer.country.code,
                "city": customer.city,
                "region": customer.region,
                "postalCode": customer.postal_code,
                "addressLine1": customer.address_line1,
                "addressLine2": customer.address_line2,
            },
        }

    def get_billingProfile(self, customer) -> dict:
        return {
            "contactName": customer.contact_name,
            "email": customer.contact_email,
            "phone": customer.contact_phone,
        }
