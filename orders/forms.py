from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.target_views import TargetView


class AddToCartForm(forms.Form):
    offer_id = forms.CharField(max_length=40)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100_000)


class RemoveFromCartForm(forms.Form):
    offer_id = forms.CharField(max_length=40)


class PlaceOrderForm(forms.Form):
    # Minted when the review page is shown: a double submit places the order once.
    submission_id = forms.UUIDField(widget=forms.HiddenInput)


class AddProductsFilterForm(forms.Form):
    targetView = forms.ChoiceField(
        label=_("Products"),
        required=False,
        choices=[("", _("All products")), *TargetView.choices],
    )
    q = forms.CharField(label=_("Search by title"), required=False, max_length=100)
