"""The vocabulary of support requests and the one state machine their statuses follow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SupportTopic(models.TextChoices):
    # The source document's label, kept word for word: partners know it from Partner Center.
    CSP_PURCHASE_REFUND = "csp_purchase_refund", _("CSP Purchase/Refund on behalf of customers")
    BILLING_QUESTION = "billing_question", _("Billing and invoices")
    TECHNICAL_PROBLEM = "technical_problem", _("Technical problem with the portal")
    ACCOUNT_AND_ACCESS = "account_access", _("Account and access")


class Impact(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# The queue shows the most severe first; the order of the choices above is that order.
IMPACT_RANK = {impact.value: rank for rank, impact in enumerate(Impact)}


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_PARTNER = "waiting_on_partner", _("Waiting on partner")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")


# new → in progress ⇄ waiting on partner → approved / rejected → closed. A request can be closed
# from any open state (a duplicate, a question answered); a decision is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset(
        {Status.WAITING_ON_PARTNER, Status.APPROVED, Status.REJECTED, Status.CLOSED}
    ),
    Status.WAITING_ON_PARTNER: frozenset(
        {Status.IN_PROGRESS, Status.APPROVED, Status.REJECTED, Status.CLOSED}
    ),
    Status.APPROVED: frozenset({Status.CLOSED}),
    Status.REJECTED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
DECISIONS = frozenset({Status.APPROVED, Status.REJECTED})
OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_PARTNER})
