"""Every route of the portal, with who may reach it, for the isolation and role matrices.

A route that declares no access (no `requires`/`signed_in`/`public` decorator on an HTML view,
no known permission on an API view) makes the matrices fail, so a new route is covered the day
it is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny

from core.access import Access
from core.roles import Action

# Third-party route trees tested on their own (sign-in, MFA) or owned by the operator (admin).
EXTERNAL_PREFIXES = ("accounts/", "admin/", "static/")


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    kwargs: tuple[str, ...]
    is_api: bool
    access: Access | None
    # API views that need a different action per method: {"POST": Action...}.
    method_access: tuple[tuple[str, Access], ...] = ()

    def path_with(self, values: dict[str, object]) -> str:
        path = "/" + self.pattern
        for kwarg in self.kwargs:
            path = _replace_converter(path, kwarg, str(values[kwarg]))
        return path


def _replace_converter(path: str, kwarg: str, value: str) -> str:
    import re

    return re.sub(rf"<(?:\w+:)?{kwarg}>", value, path)


def _api_access(view_class) -> Access | None:
    permission_classes = getattr(view_class, "permission_classes", ())
    if any(issubclass(cls, AllowAny) for cls in permission_classes):
        return Access(public=True)
    from core.api.permissions import IsPortalUser

    if any(issubclass(cls, IsPortalUser) for cls in permission_classes):
        action = getattr(view_class, "required_action", None)
        return Access(action=Action(action) if action else None)
    return None


def _api_method_access(view_class) -> tuple[tuple[str, Access], ...]:
    per_method = getattr(view_class, "required_actions", None) or {}
    return tuple((method, Access(action=action)) for method, action in per_method.items())


def _walk(patterns, prefix: str = "", names: tuple[str, ...] = ()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = (entry.namespace,) if entry.namespace else ()
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), names + namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), ":".join(names + (entry.name or "",)), entry


def all_routes() -> list[Route]:
    routes = []
    for pattern, name, entry in _walk(get_resolver().url_patterns):
        if pattern.startswith(EXTERNAL_PREFIXES) or pattern.startswith("^"):
            continue
        callback = entry.callback
        view_class = getattr(callback, "cls", None)
        method_access = ()
        if view_class is not None:
            access, is_api = _api_access(view_class), True
            method_access = _api_method_access(view_class)
        else:
            access, is_api = getattr(callback, "portal_access", None), False
        routes.append(
            Route(
                pattern=pattern,
                name=name,
                kwargs=tuple(entry.pattern.converters.keys()),
                is_api=is_api,
                access=access,
                method_access=method_access,
            )
        )
    return routes
