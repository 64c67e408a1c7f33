from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .models import Customer

PROFILE_FIELDS = [
    "company_name",
    "primary_domain",
    "country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
]


class CustomerForm(forms.ModelForm):
    """The form only parses input; the customer services validate and write."""

    class Meta:
        model = Customer
        fields = ["entra_tenant_id", *PROFILE_FIELDS]
        widgets = {"entra_tenant_id": forms.TextInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = CountryField().formfield(label=_("Country (market)"))
        if editing:
            del self.fields["entra_tenant_id"]

    def validate_unique(self):
        """Uniqueness is the service's to check, within the partner."""
