"""What a support request must say before it is filed: the checks that need no database.

The form and the API hand the partner's words over as they came; every rule and every message
lives here and in the filing service, so both edges refuse the same things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.errors import PortalError
from core.money import minor_unit, round_money

from .choices import Impact, SupportTopic

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10_000
NAME_MAX_LENGTH = 200
REFERENCE_MAX_LENGTH = 255
# Money columns hold 14 digits with 4 decimals: 10 before the point.
AMOUNT_MAX = Decimal("9999999999")


@dataclass(frozen=True)
class ServiceRequestDraft:
    """A request as the partner wrote it, every field still text."""

    topic: str
    impact: str
    title: str
    description: str = ""
    customer: str = ""
    order: str = ""
    subscription: str = ""
    refund_reason: str = ""
    amount_requested: str = ""
    product: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    @property
    def is_refund(self) -> bool:
        return self.topic == SupportTopic.CSP_PURCHASE_REFUND


class ServiceRequestInvalid(PortalError):
    """Everything wrong with a submission at once, by field, so the partner fixes it in one go.

    Its code is the one problem's own code when there is one problem that has one (an amount
    beyond what is refundable: `refund_exceeds_refundable`), else `invalid_service_request`.
    """

    code = "invalid_service_request"

    def __init__(self, problems: Problems):
        field, message = next(iter(problems.items()))
        codes = set(problems.codes.values())
        code = codes.pop() if len(problems) == 1 and codes else None
        super().__init__(message, field=field, code=code)
        self.problems = problems


class Problems(dict):
    """Messages by field, and the stable codes of those that have one."""

    def __init__(self):
        super().__init__()
        self.codes: dict[str, str] = {}

    def add(self, field: str, message: str, *, code: str | None = None) -> None:
        """Keep the first problem of a field: it is the one to fix first."""
        if field in self:
            return
        self[field] = message
        if code is not None:
            self.codes[field] = code


def phone_e164(raw: str, *, region: str) -> str:
    """The number in E.164; a number without +country is read as one of `region`."""
    try:
        number = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def amount_parse(raw: str) -> Decimal:
    """A positive amount written with a decimal point ("120.50"); ValueError otherwise."""
    try:
        amount = Decimal(raw.strip().replace(" ", ""))
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if not amount.is_finite() or amount <= 0 or amount > AMOUNT_MAX:
        raise ValueError(raw)
    return amount


def amount_precision_problem(amount: Decimal, currency: str) -> str | None:
    """Why the amount has more decimals than the currency has (cents for EUR, none for JPY)."""
    if amount == round_money(amount, currency):
        return None
    return _("%(currency)s amounts have at most %(places)d decimals.") % {
        "currency": currency, "places": max(0, -minor_unit(currency).as_tuple().exponent),
    }


def _required(problems: Problems, field: str, value: str, message: str, max_length: int) -> None:
    if not value.strip():
        problems.add(field, message)
    elif len(value) > max_length:
        problems.add(
            field, _("Write at most %(count)d characters.") % {"count": max_length}
        )


def _optional(problems: Problems, field: str, value: str, max_length: int) -> None:
    if len(value) > max_length:
        problems.add(
            field, _("Write at most %(count)d characters.") % {"count": max_length}
        )


def draft_problems(draft: ServiceRequestDraft, *, phone_region: str) -> Problems:
    """The problems a draft has on its face (missing, too long, malformed), by field."""
    problems = Problems()
    if draft.topic not in SupportTopic.values:
        problems.add("topic", _("Choose the type of problem."))
    if draft.impact not in Impact.values:
        problems.add("impact", _("Choose the impact: critical, high, medium or low."))
    _required(problems, "title", draft.title, _("Give the request a title."), TITLE_MAX_LENGTH)
    if draft.is_refund:
        _optional(problems, "description", draft.description, TEXT_MAX_LENGTH)
        _refund_problems(problems, draft)
    else:
        _required(
            problems, "description", draft.description, _("Describe the problem."),
            TEXT_MAX_LENGTH,
        )
        if draft.amount_requested.strip():
            problems.add(
                "amount_requested",
                _("Only a CSP Purchase/Refund request asks for an amount."),
            )
    for field in ("customer", "order", "subscription", "product"):
        _optional(problems, field, getattr(draft, field), REFERENCE_MAX_LENGTH)
    _contact_problems(problems, draft, phone_region=phone_region)
    return problems


def _refund_problems(problems: Problems, draft: ServiceRequestDraft) -> None:
    if not draft.customer.strip():
        problems.add("customer", _("Enter the customer's tenant GUID or domain."))
    if not draft.order.strip() and not draft.subscription.strip():
        problems.add("order", _("Enter the order id or the subscription id."))
    _required(
        problems, "refund_reason", draft.refund_reason, _("Say why the refund is needed."),
        TEXT_MAX_LENGTH,
    )
    if not draft.amount_requested.strip():
        problems.add("amount_requested", _("Enter the amount to refund."))
    else:
        try:
            amount_parse(draft.amount_requested)
        except ValueError:
            problems.add(
                "amount_requested",
                _("Enter the amount as a positive number with a decimal point, like 120.50."),
            )


def _contact_problems(problems: Problems, draft: ServiceRequestDraft, *, phone_region) -> None:
    _required(
        problems, "contact_name", draft.contact_name, _("Enter the contact's name."),
        NAME_MAX_LENGTH,
    )
    if not draft.contact_email.strip():
        problems.add("contact_email", _("Enter the contact's e-mail address."))
    else:
        try:
            validate_email(draft.contact_email.strip())
        except ValidationError:
            problems.add("contact_email", _("Enter a valid e-mail address."))
    if not draft.contact_phone.strip():
        problems.add("contact_phone", _("Enter the contact's phone number."))
    else:
        try:
            phone_e164(draft.contact_phone, region=phone_region)
        except ValueError:
            problems.add(
                "contact_phone",
                _("Enter a valid phone number, with the country code if it is abroad "
                  "(for example +39 02 1234 5678)."),
            )
