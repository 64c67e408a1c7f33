"""Writes on partners' users, roles and API tokens: one function, one transaction, one event."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import OperationType, ResourceType
from activity.services import event_record
from core.errors import NotFound, PortalError, RoleRequired
from core.roles import Action, Role, user_can

from .models import API_TOKEN_PREFIX, ApiToken, Partner, User, api_token_digest


def roles_validated(roles) -> list[str]:
    """Return the chosen roles in their canonical order; refuse unknown roles and no role at all."""
    try:
        chosen = {Role(value) for value in roles}
    except ValueError as exc:
        raise PortalError(_("Unknown role."), code="invalid_role", field="roles") from exc
    if not chosen:
        raise PortalError(_("Choose at least one role."), code="roles_required", field="roles")
    return [role.value for role in Role if role in chosen]


@transaction.atomic
def user_roles_set(*, partner: Partner, actor: User, user_id: int, roles: list[str]) -> User:
    """Replace a partner user's roles; a partner always keeps at least one Global admin."""
    user = User.members.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."))
    role_values = roles_validated(roles)
    _ensure_global_admin_remains(
        partner=partner,
        user=user,
        keeps_global_admin=(Role.GLOBAL_ADMIN.value in role_values and user.is_active),
    )
    before = list(user.roles)
    user.roles = role_values
    user.save(update_fields=["roles"])
    event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.UPDATE_PARTNER_USER,
        resource_type=ResourceType.USER,
        object_id=str(user.pk),
        details={"email": user.email, "rolesBefore": before, "rolesAfter": role_values},
    )
    return user


@transaction.atomic
def user_deactivate(*, partner: Partner, actor: User, user_id: int) -> User:
    """Stop a partner user from signing in and revoke their API tokens."""
    user = User.members.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."))
    if user.pk == actor.pk:
        raise PortalError(_("You cannot deactivate yourself."), code="cannot_deactivate_self")
    _ensure_global_admin_remains(partner=partner, user=user, keeps_global_admin=False)
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    event_record(
        partner=partner,
        actor=actor,
        operation=OperationType.DEACTIVATE_PARTNER_USER,
        resource_type=ResourceType.USER,
        object_id=str(user.pk),
        details={"email": user.email},
    )
    return user


def _ensure_global_admin_remains(*, partner: Partner, user: User, keeps_global_admin: bool) -> None:
    if keeps_global_admin or not user.has_role(Role.GLOBAL_ADMIN):
        return
    others = [
        u
        for u in User.members.select_for_update().filter(is_active=True).exclude(pk=user.pk)
        if u.has_role(Role.GLOBAL_ADMIN)
    ]
    if not others:
        raise PortalError(
            _("%(partner)s must keep at least one active Global admin.")
            % {"partner": partner.name},
            code="last_global_admin",
        )


def user_preferences_set(
    *, user: User, language: str, time_zone: str, cancellation_reminders: bool | None = None
) -> User:
    """Save the user's language ("" leaves it to the browser), time zone and, when given,
    whether they get cancellation reminders."""
    if language and language not in dict(settings.LANGUAGES):
        raise PortalError(_("Unknown language."), code="invalid_language", field="language")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise PortalError(
            _("Unknown time zone."), code="invalid_time_zone", field="timeZone"
        ) from exc
    if cancellation_reminders is not None and not user_can(user, Action.VIEW_CUSTOMERS):
        raise RoleRequired(
            _("Cancellation reminders are for users who see customers' purchases."),
            field="cancellationReminders",
        )
    user.language = language
    user.time_zone = time_zone
    fields = ["language", "time_zone"]
    if cancellation_reminders is not None:
        user.cancellation_reminders = cancellation_reminders
        fields.append("cancellation_reminders")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def api_token_issue(
    *, actor: User, name: str, days_valid: int | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token; the returned clear token is shown once and never stored."""
    name = name.strip()
    if not name:
        raise PortalError(_("Give the token a name."), code="name_required", field="name")
    days = days_valid or settings.API_TOKEN_DEFAULT_DAYS
    if not 1 <= days <= 366:
        raise PortalError(
            _("A token is valid for 1 to 366 days."), code="invalid_expiry", field="days_valid"
        )
    lookup_id, secret = ApiToken.new_secret_parts()
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        lookup_id=lookup_id,
        digest=api_token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    event_record(
        partner=actor.partner,
        actor=actor,
        operation=OperationType.CREATE_API_TOKEN,
        resource_type=ResourceType.API_TOKEN,
        object_id=str(token.pk),
        details={"name": token.name, "expiresAt": token.expires_at.isoformat()},
    )
    return token, f"{API_TOKEN_PREFIX}_{lookup_id}_{secret}"


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound(_("Token not found."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            partner=actor.partner,
            actor=actor,
            operation=OperationType.REVOKE_API_TOKEN,
            resource_type=ResourceType.API_TOKEN,
            object_id=str(token.pk),
            details={"name": token.name},
        )
    return token
