"""Partner scoping that fails closed.

Every partner-owned model uses `PartnerScopedManager` as its default manager. Its queries are
filtered to the partner of the current request, API call, Celery task or test block, and raise
`PartnerScopeMissing` when no partner is set, so a forgotten scope is an error, never a leak.
The one way around it is `Model.objects.all_partners()`, allowed only in support staff views,
periodic sweeps and the admin (tests/test_tenancy.py fails when it appears anywhere else).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import models

# The partner model sits above core; any saved partner instance is a scope.
_current_partner: ContextVar[models.Model | None] = ContextVar("current_partner", default=None)


class PartnerScopeMissing(RuntimeError):
    """A partner-owned table was queried with no partner in scope."""


def current_partner() -> models.Model | None:
    return _current_partner.get()


def require_partner() -> models.Model:
    partner = _current_partner.get()
    if partner is None:
        raise PartnerScopeMissing(
            "No partner is in scope: set one with partner_scope(), or use all_partners() "
            "where crossing partners is intended (support staff, sweeps, admin)."
        )
    return partner


@contextlib.contextmanager
def partner_scope(partner: models.Model | None) -> Iterator[None]:
    token = _current_partner.set(partner)
    try:
        yield
    finally:
        _current_partner.reset(token)


def activate_partner(partner: models.Model | None) -> None:
    """Set the scope for the rest of the current context (the API authenticator's entry point)."""
    _current_partner.set(partner)


class PartnerScopedQuerySet(models.QuerySet):
    pass


class PartnerScopedManager(models.Manager.from_queryset(PartnerScopedQuerySet)):
    """Default manager of partner-owned models: scoped to the current partner, raising without."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(partner=require_partner())

    def all_partners(self) -> models.QuerySet:
        """Every partner's rows: support staff views, periodic sweeps and the admin only."""
        return super().get_queryset()


class PartnerScopeMiddleware:
    """Scope each web request to the signed-in user's partner (none for support staff)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        partner = user.partner if user is not None and user.is_authenticated else None
        with partner_scope(partner):
            return self.get_response(request)


def _partner_foreign_key(model: type[models.Model]) -> models.Field | None:
    try:
        field = model._meta.get_field("partner")
    except Exception:  # noqa: BLE001 - any lookup failure means "no partner field"
        return None
    return field if getattr(field, "many_to_one", False) else None


@checks.register(checks.Tags.models)
def check_partner_models_are_scoped(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Fail start-up when a model with a `partner` foreign key lacks the scoped manager."""
    if app_configs is None:
        return scoping_errors(apps.get_models())
    return scoping_errors(model for config in app_configs for model in config.get_models())


def scoping_errors(models_to_check) -> list[checks.CheckMessage]:
    errors = []
    for model in models_to_check:
        # The user model decides the scope itself, so authentication must read it unscoped.
        if model._meta.label == settings.AUTH_USER_MODEL or model._meta.abstract:
            continue
        if _partner_foreign_key(model) is None:
            continue
        if not isinstance(model._default_manager, PartnerScopedManager):
            errors.append(
                checks.Error(
                    f"{model._meta.label} has a partner foreign key but its default manager "
                    "is not PartnerScopedManager.",
                    hint="Declare `objects = PartnerScopedManager()` first on the model.",
                    obj=model,
                    id="tenancy.E001",
                )
            )
        if isinstance(model._base_manager, PartnerScopedManager):
            errors.append(
                checks.Error(
                    f"{model._meta.label} uses the scoped manager as its base manager; forward "
                    "foreign keys and deletions would raise outside a partner scope.",
                    obj=model,
                    id="tenancy.E002",
                )
            )
    return errors
