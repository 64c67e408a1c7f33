from __future__ import annotations

from datetime import date, timedelta, tzinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from activity.models import KEY_ACCESS_AND_DOWNLOADS, OperationType
from core.errors import PortalError

from .ranges import EARLIEST_DAY, LATEST_DAY, day_in_window_check, day_range_check
from .selectors import CustomerMatch, EventCursor, EventFilters, day_range

KEY_ACCESS_PRESET = "key_access_and_downloads"
DEFAULT_RANGE_DAYS = 30
# The browser's date picker offers only the dates the server accepts.
DATE_ATTRS = {"type": "date", "min": EARLIEST_DAY.isoformat(), "max": LATEST_DAY.isoformat()}


def default_range(*, today: date) -> tuple[date, date]:
    """The last 30 days, today included."""
    return today - timedelta(days=DEFAULT_RANGE_DAYS - 1), today


class ActivityLogForm(forms.Form):
    """Parses the log's filters; the dates are whole days on the viewer's clock."""

    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs=DATE_ATTRS, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs=DATE_ATTRS, format="%Y-%m-%d"),
    )
    operation = forms.ChoiceField(
        label=_("Operation"), required=False,
        choices=[
            ("", _("All operations")),
            (KEY_ACCESS_PRESET, _("Key access and downloads")),
            *OperationType.choices,
        ],
    )
    user = forms.CharField(
        label=_("User (e-mail)"), required=False, max_length=254,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    customer = forms.CharField(
        label=_("Customer (name, tenant GUID or domain)"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        try:
            for name, day in (("start", start), ("end", end)):
                if day is not None:
                    day_in_window_check(day=day, field=name)
            if start and end and start > end:
                self.add_error("end", _("The end date must not be before the start date."))
            elif start and end:
                day_range_check(first_day=start, last_day=end, field="start")
        except PortalError as error:
            self.add_error(error.field, error.message)
        if data.get("after"):
            try:
                data["cursor"] = EventCursor.decode(data["after"])
            except PortalError as error:
                self.add_error(None, error.message)
        return data

    def filters(self, *, tz: tzinfo) -> EventFilters:
        """The filters of a valid form, with its dates as whole days in the time zone."""
        data = self.cleaned_data
        start, end = day_range(first_day=data["start"], last_day=data["end"], tz=tz)
        operation = data["operation"]
        customer = data["customer"].strip()
        return EventFilters(
            start=start, end=end,
            operation_types=(
                tuple(KEY_ACCESS_AND_DOWNLOADS) if operation == KEY_ACCESS_PRESET
                else (operation,) if operation else ()
            ),
            user_email=data["user"].strip(),
            customer=CustomerMatch(how="search", value=customer) if customer else None,
            described={
                "startDate": data["start"].isoformat(), "endDate": data["end"].isoformat(),
                "timeZone": str(tz), "operation": operation, "user": data["user"].strip(),
                "customer": customer,
            },
        )
