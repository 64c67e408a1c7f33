from functools import lru_cache

from django import forms
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.errors import PortalError

from .models import Market
from .selectors import market_get
from .target_views import TargetView


@lru_cache(maxsize=16)
def _market_options(language: str, choices: tuple[tuple[str, str], ...]) -> str:
    # The 250 options are the same for every request in a language: written once, then reused.
    return format_html_join("", '<option value="{}">{}</option>', choices)


class MarketSelect(forms.Select):
    """Django's select with its options written once per language and market list: rendering
    250 options on each request took a quarter of the catalogue page's time."""

    template_name = "catalog/widgets/market_select.html"

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        options = _market_options(get_language() or "en", tuple(self.choices))
        chosen = context["widget"]["value"]
        if chosen:
            code = escape(chosen[0])
            options = options.replace(f'value="{code}">', f'value="{code}" selected>', 1)
        context["widget"]["options"] = mark_safe(options)  # noqa: S308 - built by format_html_join
        return context


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
