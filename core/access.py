"""Role checks at the edge: one decorator for HTML views, read by the route matrix test."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from .roles import Action, role_needed_label, user_can


@dataclass(frozen=True)
class Access:
    """Who may reach a view: anyone, any signed-in user, or holders of an action's roles."""

    public: bool = False
    action: Action | None = None


def _mark(view, access: Access):
    view.portal_access = access
    return view


def public(view):
    """Reachable without signing in (invitation links, downloads, health)."""
    return _mark(view, Access(public=True))


def signed_in(view):
    """Any signed-in, active user of the portal."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, Access())


def requires(action: Action):
    """Signed in and holding a role that SPEC §1 allows for the action; else 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_can(request.user, action):
                return render(
                    request, "403.html", {"roles_needed": role_needed_label(action)}, status=403
                )
            return view(request, *args, **kwargs)

        return _mark(wrapper, Access(action=action))

    return decorator
