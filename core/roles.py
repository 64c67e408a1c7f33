"""The permission table of SPEC §1: the single source for every role check in the portal."""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global admin")
    ADMIN_AGENT = "admin_agent", _("Admin agent")
    SALES_AGENT = "sales_agent", _("Sales agent")
    ACCOUNT_ADMIN = "account_admin", _("Account admin")
    BILLING_ADMIN = "billing_admin", _("Billing admin")
    REFERRAL_ADMIN = "referral_admin", _("Referral admin")
    MARKETING_CONTENT_ADMIN = "marketing_content_admin", _("Marketing content admin")


class Action(enum.StrEnum):
    VIEW_CUSTOMERS = "view_customers"
    EDIT_CUSTOMERS = "edit_customers"
    BUY_SOFTWARE = "buy_software"
    GET_KEYS_AND_DOWNLOADS = "get_keys_and_downloads"
    CANCEL_PURCHASE = "cancel_purchase"
    VIEW_ACTIVITY_LOG = "view_activity_log"
    VIEW_INVOICES = "view_invoices"
    VIEW_SPEND = "view_spend"
    FILE_SUPPORT_REQUESTS = "file_support_requests"
    MANAGE_USERS = "manage_users"
    TRIAGE_SUPPORT_REQUESTS = "triage_support_requests"
    MANAGE_WEBHOOKS = "manage_webhooks"


_G, _AA, _SA = Role.GLOBAL_ADMIN, Role.ADMIN_AGENT, Role.SALES_AGENT
_ACC, _BILL = Role.ACCOUNT_ADMIN, Role.BILLING_ADMIN
_REF, _MKT = Role.REFERRAL_ADMIN, Role.MARKETING_CONTENT_ADMIN

# SPEC §1, row by row. Support staff hold no partner role; their one action is listed apart.
PARTNER_ROLE_PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_CUSTOMERS: frozenset({_G, _AA, _SA}),
    Action.EDIT_CUSTOMERS: frozenset({_G, _AA, _SA}),
    Action.BUY_SOFTWARE: frozenset({_G, _AA, _SA}),
    # The source document: only an Admin agent, even a Global admin without it may not.
    Action.GET_KEYS_AND_DOWNLOADS: frozenset({_AA}),
    Action.CANCEL_PURCHASE: frozenset({_AA}),
    Action.VIEW_ACTIVITY_LOG: frozenset({_G, _ACC, _REF, _MKT}),
    Action.VIEW_INVOICES: frozenset({_G, _ACC, _BILL}),
    # Issue 19: the dashboard's spend chart, for the Billing and Global admins.
    Action.VIEW_SPEND: frozenset({_G, _BILL}),
    Action.FILE_SUPPORT_REQUESTS: frozenset({_G, _AA, _SA, _ACC, _BILL}),
    Action.MANAGE_USERS: frozenset({_G}),
    Action.TRIAGE_SUPPORT_REQUESTS: frozenset(),
    # Issue 18: endpoints receive the partner's orders, invoices and requests, like the API.
    Action.MANAGE_WEBHOOKS: frozenset({_G}),
}
SUPPORT_STAFF_ACTIONS: frozenset[Action] = frozenset({Action.TRIAGE_SUPPORT_REQUESTS})


def roles_allowed(action: Action) -> frozenset[Role]:
    return PARTNER_ROLE_PERMISSIONS[action]


def user_can(user, action: Action) -> bool:
    """Whether the user may perform the action (False for anonymous or inactive users)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_support_staff:
        return action in SUPPORT_STAFF_ACTIONS
    if user.partner_id is None:
        return False
    return not PARTNER_ROLE_PERMISSIONS[action].isdisjoint(user.role_set)


def role_needed_label(action: Action) -> str:
    """The roles that would allow an action, for a refusal message that names them."""
    if action in SUPPORT_STAFF_ACTIONS:
        return str(_("Support staff"))
    return ", ".join(str(role.label) for role in Role if role in PARTNER_ROLE_PERMISSIONS[action])
