from django import forms
from django.utils.translation import gettext_lazy as _


class VariantForm(forms.Form):
    version = forms.CharField(label=_("Version"), max_length=64)
    language = forms.CharField(label=_("Language"), max_length=16)
    file_type = forms.CharField(label=_("File type/OS"), max_length=64)
