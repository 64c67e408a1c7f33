"""The activity log's Details and Product columns in words people read, never a Python dict.

Events are append-only, so every shape of `details` ever recorded is read: each operation has
its sentence, and whatever does not fit one (an older or unexpected shape) is written out as
"label: value" pairs, lists and objects included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from activity.models import PRODUCT_TITLE_KEY, Event, OperationType
from core.money import format_money
from core.roles import Role
from orders.models import CreditKind
from support.choices import Impact, Status, SupportTopic

# Labels of the keys events record, for the pairs of the general case; other keys show as such.
_KEY_LABELS = {
    "alternateId": gettext_lazy("order number"),
    "amountRequested": gettext_lazy("amount requested"),
    "approvedAmount": gettext_lazy("approved amount"),
    "changedFields": gettext_lazy("changed"),
    "companyName": gettext_lazy("company"),
    "currencyCode": gettext_lazy("currency"),
    "domain": gettext_lazy("domain"),
    "email": gettext_lazy("e-mail"),
    "filters": gettext_lazy("filters"),
    "impact": gettext_lazy("impact"),
    "name": gettext_lazy("name"),
    "number": gettext_lazy("request"),
    "period": gettext_lazy("period"),
    "roles": gettext_lazy("roles"),
    "status": gettext_lazy("status"),
    "title": gettext_lazy("title"),
    "total": gettext_lazy("total"),
}
# Ids for machines (the API and the CSV keep them): people read the order number instead.
_HIDDEN_KEYS = {PRODUCT_TITLE_KEY, "orderId", "creditId", "invitationId", "lineItemNumber",
                "completeAfter", "offerId"}
_AUTHENTICATORS = {"totp": gettext_lazy("authenticator app"),
                   "recovery_codes": gettext_lazy("recovery codes")}


def _words(value) -> str:
    """Any JSON value as text: lists and objects spelled out, never their Python form."""
    if isinstance(value, list):
        return ", ".join(_words(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{_label(key)}: {_words(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return "—"
    return str(value)


def _label(key: str) -> str:
    return str(_KEY_LABELS.get(key, key))


def _money(amount, currency_code) -> str:
    try:
        return format_money(Decimal(str(amount)), str(currency_code), get_language() or "en")
    except (InvalidOperation, ValueError, TypeError, KeyError):
        return f"{amount} {currency_code or ''}".strip()


def _date(value) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "SHORT_DATE_FORMAT")


def _roles(values) -> str:
    labels = {role.value: str(role.label) for role in Role}
    return ", ".join(labels.get(value, str(value)) for value in values or [])


def _order_number(details: dict) -> str:
    number = details.get("alternateId")
    return _("order %(number)s") % {"number": number} if number else ""


def _joined(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def _order_placed(details: dict) -> str:
    lines = [
        f"{line['quantity']} × {line['productTitle']}" for line in details.get("lineItems", [])
    ]
    return _joined(", ".join(lines), _order_number(details))


def _cancellation_requested(details: dict) -> str:
    preview = details.get("creditPreview")
    credit = (_("credit preview %(amount)s")
              % {"amount": _money(preview, details.get("currencyCode"))}) if preview else ""
    return _joined(_order_number(details), credit)


def _cancellation_completed(details: dict) -> str:
    return _("credit %(amount)s") % {
        "amount": _money(details["credit"], details.get("currencyCode"))
    }


def _credit_booked(details: dict) -> str:
    kind = details.get("kind")
    label = str(CreditKind(kind).label) if kind in CreditKind.values else _("Credit")
    request = details.get("number")
    return _joined(
        f"{label} {_money(details['total'], details.get('currencyCode'))}",
        _order_number(details),
        _("support request %(number)s") % {"number": request} if request else "",
    )


def _variant(details: dict) -> str:
    return " · ".join(
        str(details[key]) for key in ("version", "language", "fileType") if details.get(key)
    )


def _download(details: dict) -> str:
    # Which counted download served the bytes (a resume continues one), and which bytes when the
    # request asked for part of the file.
    download = details.get("downloadId")
    return _joined(
        _variant(details),
        _("download %(number)s") % {"number": download} if download else "",
        str(details.get("range") or ""),
    )


def _link_issued(details: dict) -> str:
    return _joined(_variant(details), _("valid until %(date)s or %(count)s downloads") % {
        "date": _date(details["expiresAt"]), "count": details["maxDownloads"],
    })


def _keys_shown(details: dict) -> str:
    count = int(details["keyCount"])
    return ngettext("%(count)s key shown", "%(count)s keys shown", count) % {"count": count}


def _request_filed(details: dict) -> str:
    topic, impact = details.get("supportTopic"), details.get("impact")
    amount = details.get("amountRequested")
    return _joined(
        _("request %(number)s “%(title)s”") % {"number": details["number"],
                                                "title": details.get("title", "")},
        str(SupportTopic(topic).label) if topic in SupportTopic.values else "",
        (_("impact %(impact)s") % {"impact": Impact(impact).label}
         if impact in Impact.values else ""),
        (_("amount requested %(amount)s")
         % {"amount": _money(amount, details.get("currencyCode"))}) if amount else "",
    )


def _request_updated(details: dict) -> str:
    status = details.get("status")
    amount = details.get("approvedAmount")
    return _joined(
        _("request %(number)s") % {"number": details["number"]},
        str(Status(status).label) if status in Status.values else "",
        _("note added") if details.get("note") else "",
        (_("approved amount %(amount)s")
         % {"amount": _money(amount, details.get("currencyCode"))}) if amount else "",
    )


def _roles_changed(details: dict) -> str:
    return _("%(email)s: %(before)s → %(after)s") % {
        "email": details["email"], "before": _roles(details["rolesBefore"]) or "—",
        "after": _roles(details["rolesAfter"]) or "—",
    }


def _invitation(details: dict) -> str:
    roles = _roles(details.get("roles"))
    return f"{details['email']} ({roles})" if roles else str(details["email"])


def _token(details: dict) -> str:
    name = f"“{details['name']}”"
    expires = details.get("expiresAt")
    return _joined(name, _("expires %(date)s") % {"date": _date(expires)} if expires else "")


def _webhook_endpoint(details: dict) -> str:
    count = len(details["eventTypes"])
    return _joined(
        details["url"], ngettext("%(count)s event", "%(count)s events", count) % {"count": count}
    )


def _authenticator(details: dict) -> str:
    if "added" in details:
        what = details["added"]
        return _("added: %(what)s") % {"what": _AUTHENTICATORS.get(what, what)}
    what = details["removed"]
    return _("removed: %(what)s") % {"what": _AUTHENTICATORS.get(what, what)}


def _customer_created(details: dict) -> str:
    return f"{details['companyName']} ({details['domain']})"


def _customer_updated(details: dict) -> str:
    return _("changed: %(fields)s") % {"fields": _words(details["changedFields"])}


def _invoice_issued(details: dict) -> str:
    count = int(details["lineCount"])
    return _joined(
        str(details["period"]), _money(details["total"], details.get("currencyCode")),
        ngettext("%(count)s line", "%(count)s lines", count) % {"count": count},
    )


_SENTENCES: dict[str, Callable[[dict], str]] = {
    OperationType.CREATE_ORDER: _order_placed,
    OperationType.CANCEL_ORDER: _cancellation_requested,
    OperationType.COMPLETE_CANCELLATION: _cancellation_completed,
    OperationType.CREATE_CREDIT: _credit_booked,
    OperationType.GET_SOFTWARE_KEY: _keys_shown,
    OperationType.GET_SOFTWARE_DOWNLOAD_LINK: _link_issued,
    OperationType.SOFTWARE_DOWNLOAD: _download,
    OperationType.SOFTWARE_DOWNLOAD_RESUMED: _download,
    OperationType.CREATE_SERVICE_REQUEST: _request_filed,
    OperationType.UPDATE_SERVICE_REQUEST: _request_updated,
    OperationType.UPDATE_PARTNER_USER: _roles_changed,
    OperationType.INVITE_PARTNER_USER: _invitation,
    OperationType.RESEND_PARTNER_INVITATION: _invitation,
    OperationType.WITHDRAW_PARTNER_INVITATION: _invitation,
    OperationType.ACCEPT_PARTNER_INVITATION: _invitation,
    OperationType.DEACTIVATE_PARTNER_USER: _invitation,
    OperationType.CREATE_API_TOKEN: _token,
    OperationType.REVOKE_API_TOKEN: _token,
    OperationType.MFA_CHANGED: _authenticator,
    OperationType.CREATE_CUSTOMER: _customer_created,
    OperationType.UPDATE_CUSTOMER: _customer_updated,
    OperationType.ISSUE_INVOICE: _invoice_issued,
    OperationType.CREATE_WEBHOOK_ENDPOINT: _webhook_endpoint,
    OperationType.ROTATE_WEBHOOK_SECRET: _webhook_endpoint,
    OperationType.ENABLE_WEBHOOK_ENDPOINT: _webhook_endpoint,
    OperationType.DELETE_WEBHOOK_ENDPOINT: _webhook_endpoint,
}


def event_details_text(event: Event) -> str:
    """The event's details as a sentence, or as "label: value" pairs when no sentence fits."""
    details = event.details
    if not isinstance(details, dict):
        return _words(details) if details else ""
    sentence = _SENTENCES.get(event.operation_type)
    if sentence is not None:
        try:
            text = sentence(details)
        except (KeyError, TypeError, ValueError, AttributeError):
            text = ""
        if text:
            return text
    return "; ".join(
        f"{_label(key)}: {_words(value)}"
        for key, value in details.items() if key not in _HIDDEN_KEYS
    )


def event_product_text(event: Event) -> str:
    """The product the event is about; for an order, the titles of its lines."""
    if event.product_title:
        return event.product_title
    details = event.details if isinstance(event.details, dict) else {}
    lines = details.get("lineItems")
    if not isinstance(lines, list):
        return ""
    titles = [str(line.get(PRODUCT_TITLE_KEY, "")) for line in lines if isinstance(line, dict)]
    return ", ".join(dict.fromkeys(title for title in titles if title))
