"""The forms only carry the partner's words to the services, which check them (support.intake)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Impact, Status, SupportTopic
from .intake import ServiceRequestDraft
from .staff_selectors import ALL_STATUSES, OPEN

# One field per draft field, with the draft's name, so a problem lands next to its field.
_TEXTAREA = forms.Textarea(attrs={"rows": 4})


class ReportProblemForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("Type of problem"), required=False,
        choices=[("", _("Choose…")), *SupportTopic.choices],
    )
    impact = forms.ChoiceField(
        label=_("Impact"), required=False, choices=[("", _("Choose…")), *Impact.choices]
    )
    title = forms.CharField(label=_("Title"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=_TEXTAREA)
    customer = forms.CharField(
        label=_("Customer tenant GUID or domain"), required=False,
        help_text=_("The tenant GUID, or the primary domain such as contoso.onmicrosoft.com."),
    )
    order = forms.CharField(
        label=_("Order ID"), required=False,
        help_text=_("The order id or the order number shown in the order history."),
    )
    subscription = forms.CharField(
        label=_("Subscription ID"), required=False,
        help_text=_("Instead of the order: the subscription's id."),
    )
    product = forms.CharField(required=False, widget=forms.HiddenInput)
    refund_reason = forms.CharField(label=_("Refund reason"), required=False, widget=_TEXTAREA)
    amount_requested = forms.CharField(
        label=_("Amount requested"), required=False,
        help_text=_("In the order's currency, tax included, like 120.50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    contact_name = forms.CharField(label=_("Name"), required=False)
    contact_email = forms.CharField(
        label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    contact_phone = forms.CharField(
        label=_("Phone"), required=False,
        help_text=_("With the country code if it is abroad, for example +39 02 1234 5678."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def draft(self) -> ServiceRequestDraft:
        return ServiceRequestDraft(**self.cleaned_data)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), required=False, widget=_TEXTAREA)


class StaffNoteForm(NoteForm):
    is_internal = forms.BooleanField(
        label=_("Internal note (support staff only)"), required=False
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(label=_("Note to the partner"), required=False, widget=_TEXTAREA)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    approved_amount = forms.DecimalField(
        label=_("Amount to refund"), required=False, min_value=0, max_digits=14, decimal_places=4
    )
    resolution = forms.CharField(label=_("Note to the partner"), required=False, widget=_TEXTAREA)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[(OPEN, _("Open")), (ALL_STATUSES, _("All")), *Status.choices],
    )
    topic = forms.ChoiceField(
        label=_("Type of problem"), required=False, choices=[("", _("All")), *SupportTopic.choices]
    )
    impact = forms.ChoiceField(
        label=_("Impact"), required=False, choices=[("", _("All")), *Impact.choices]
    )
    partner = forms.TypedChoiceField(
        label=_("Partner"), required=False, coerce=int, empty_value=None
    )
    q = forms.CharField(label=_("Number or title"), required=False, max_length=200)

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("All")), *((p.pk, p.name) for p in partners)]
