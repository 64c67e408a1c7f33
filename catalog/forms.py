from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import PortalError

from .models import Market
from .selectors import market_get
from .target_views import TargetView


class MarketSelect(forms.Select):
    """Django's select with its options written inline: including a template for each of 250
    markets took a third of the catalogue page's time."""

    template_name = "catalog/widgets/market_select.html"


class CatalogueFilterForm(forms.Form):
    """The browse page's filters, named as the API's query parameters."""

    country = forms.ChoiceField(label=_("Market"), widget=MarketSelect)
    targetView = forms.ChoiceField(  # named as the API's parameter, so URLs match
        label=_("Products"), required=False,
        choices=[("", _("Everything")), *TargetView.choices],
    )
    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)

    def __init__(self, *args, markets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = markets

    def clean_country(self) -> Market:
        try:
            return market_get(country=self.cleaned_data["country"])
        except PortalError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def clean_targetView(self) -> TargetView | None:
        value = self.cleaned_data["targetView"]
        return TargetView(value) if value else None
