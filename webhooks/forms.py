from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EventType


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Endpoint URL"), max_length=500,
        help_text=_("An https:// address on the internet that answers a POST with 2xx."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple,
    )
