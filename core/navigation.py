"""The portal's navigation, built from the permission table so a user sees only what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.roles import Action, user_can


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    action: Action | None

    def allowed(self, user) -> bool:
        return self.action is None or user_can(user, self.action)


MAIN_MENU = (
    NavItem(_("Customers"), "customers:list", Action.VIEW_CUSTOMERS),
    NavItem(_("Catalogue"), "catalog:catalogue", Action.BUY_SOFTWARE),
    NavItem(_("Invoices"), "invoices:invoice_list", Action.VIEW_INVOICES),
    NavItem(_("Support"), "support:request_list", Action.FILE_SUPPORT_REQUESTS),
    NavItem(_("Support queue"), "support:queue", Action.TRIAGE_SUPPORT_REQUESTS),
)
GEAR_MENU = (
    NavItem(_("Activity log"), "activity:log", Action.VIEW_ACTIVITY_LOG),
    NavItem(_("Users"), "partners:user_list", Action.MANAGE_USERS),
    NavItem(_("API tokens"), "partners:api_tokens", None),
    NavItem(_("Webhooks"), "webhooks:endpoint_list", Action.MANAGE_WEBHOOKS),
    NavItem(_("Preferences"), "partners:preferences", None),
)


@cache
def _path(url_name: str, script_prefix: str) -> str:
    # The menu is on every page: its paths are reversed once per process, not per request.
    return reverse(url_name)


def menu_for(user, items) -> list[dict]:
    prefix = get_script_prefix()
    return [
        {"label": item.label, "url": _path(item.url_name, prefix), "url_name": item.url_name}
        for item in items
        if item.allowed(user)
    ]
