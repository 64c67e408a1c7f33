from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from partners.roles import role_needed_label, user_can


class RoleRequiredError(exceptions.PermissionDenied):
    default_code = "role_required"


class IsPortalUser(permissions.BasePermission):
    """An active signed-in user holding a role for the view's `required_action`, if it has one."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated or not user.is_active:
            raise exceptions.NotAuthenticated()
        action = getattr(view, "required_action", None)
        if action is not None and not user_can(user, action):
            raise RoleRequiredError(
                _("This needs one of these roles: %(roles)s.")
                % {"roles": role_needed_label(action)}
            )
        return True
