import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.roles import Role

_TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Role.choices, label=_("Roles"), **kwargs)


class InviteUserForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Name"), max_length=200)
    roles = RolesField()


class UserRolesForm(forms.Form):
    roles = RolesField()


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    days_valid = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=366,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
    )


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Automatic: your browser's language, else your organisation's")),
                 *settings.LANGUAGES],
        required=False,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(name, name) for name in _TIME_ZONES]
    )
    cancellation_reminders = forms.BooleanField(
        label=_("E-mail me 7 days and 1 day before a purchase's cancellation window closes"),
        required=False,
    )

    def __init__(self, *args, offers_reminders: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Only users who see customers' purchases get reminders about them.
        if not offers_reminders:
            del self.fields["cancellation_reminders"]
