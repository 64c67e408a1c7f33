from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from core.mfa import user_is_operator_staff, user_must_enrol_mfa
from core.roles import role_needed_label, user_can


class RoleRequiredError(exceptions.PermissionDenied):
    default_code = "role_required"


class MfaRequiredError(exceptions.PermissionDenied):
    default_code = "mfa_required"


def required_action_for(view, method: str):
    """The action a request needs: `required_actions[method]`, else `required_action`, else none."""
    per_method = getattr(view, "required_actions", None) or {}
    return per_method.get(method.upper(), getattr(view, "required_action", None))


class IsPortalUser(permissions.BasePermission):
    """An active signed-in user holding a role for the action the view requires, if any."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated or not user.is_active:
            raise exceptions.NotAuthenticated()
        if user_is_operator_staff(user) and user_must_enrol_mfa(user):
            # A token issued before TOTP became compulsory must not outlive the rule.
            raise MfaRequiredError(
                _("Enrol two-factor authentication in the portal before using the API.")
            )
        action = required_action_for(view, request.method)
        if action is not None and not user_can(user, action):
            raise RoleRequiredError(
                _("This needs one of these roles: %(roles)s.")
                % {"roles": role_needed_label(action)}
            )
        return True
