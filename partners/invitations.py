"""Invitations: a Global admin invites an address with roles; the invitee sets a password and
the user is created then.

The answer to an invitation is the same whether the address is new or already has an account
with another partner or the operator: the same page, message, activity event and pending row,
and the same work in the request. Only the worker, when it sends the e-mail, tells the two apart:
a new address gets its link, an existing account gets a note that it cannot join this way. The
inviting partner learns nothing about other partners' users.

A link holds an HMAC of the invitation and its nonce: sending again draws a new nonce, so only
the newest link works, and a copy of the database alone opens none.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activity.models import Event, OperationType, ResourceType
from activity.services import event_record
from core.background import task_enqueue_on_commit
from core.errors import Conflict, Gone, NotFound
from core.languages import user_language
from core.outages import broker_required
from core.ratelimits import RateLimited
from core.tenancy import partner_scope

from .models import Invitation, Partner, User
from .services import roles_validated

INVITATION_VALID = timedelta(days=7)
# A re-send this soon after the last e-mail is refused: a double click sends one e-mail, and
# the link the invitee has just received stays the one that works.
RESEND_INTERVAL = timedelta(minutes=10)
# Invitation e-mails from one partner to one address in a rolling day, first ones and re-sends
# together (withdrawing and inviting again counts too): enough for slips, not for a mail bomb.
EMAILS_PER_ADDRESS_PER_DAY = 5
_TOKEN_SALT = "partners.invitation"
_EMAIL_EVENTS = (OperationType.INVITE_PARTNER_USER, OperationType.RESEND_PARTNER_INVITATION)


def invitation_token(invitation: Invitation) -> str:
    """Return the secret part of the invitation's current link."""
    return salted_hmac(
        _TOKEN_SALT, f"{invitation.pk}:{invitation.nonce}", algorithm="sha256"
    ).hexdigest()


def invitation_path(invitation: Invitation) -> str:
    """Return the path of the invitation's current link."""
    uid = urlsafe_base64_encode(force_bytes(invitation.pk))
    return reverse(
        "partners:invitation_accept", kwargs={"uidb64": uid, "token": invitation_token(invitation)}
    )


def _emails_check(*, email: str, at: datetime, resending: bool) -> None:
    """Refuse an invitation e-mail over the partner's limits for the address."""
    sent = sorted(
        Event.objects.filter(
            operation_type__in=_EMAIL_EVENTS,
            occurred_at__gt=at - timedelta(days=1),
            details__email=email,
        ).values_list("occurred_at", flat=True)
    )
    if resending and sent and sent[-1] > at - RESEND_INTERVAL:
        wait = sent[-1] + RESEND_INTERVAL - at
        minutes = math.ceil(wait.total_seconds() / 60)
        raise RateLimited(
            ngettext(
                "An invitation was sent to %(email)s less than %(interval)d minutes ago; it can "
                "be sent again in %(minutes)d minute.",
                "An invitation was sent to %(email)s less than %(interval)d minutes ago; it can "
                "be sent again in %(minutes)d minutes.",
                minutes,
            ) % {"email": email, "interval": RESEND_INTERVAL.total_seconds() // 60,
                 "minutes": minutes},
            retry_after=math.ceil(wait.total_seconds()),
        )
    if len(sent) >= EMAILS_PER_ADDRESS_PER_DAY:
        wait = sent[-EMAILS_PER_ADDRESS_PER_DAY] + timedelta(days=1) - at
        hours = math.ceil(wait.total_seconds() / 3600)
        raise RateLimited(
            ngettext(
                "%(email)s was sent %(count)d invitation e-mails in the last 24 hours; try again "
                "in %(hours)d hour.",
                "%(email)s was sent %(count)d invitation e-mails in the last 24 hours; try again "
                "in %(hours)d hours.",
                hours,
            ) % {"email": email, "count": len(sent), "hours": hours},
            retry_after=math.ceil(wait.total_seconds()),
        )


def _send_on_commit(invitation: Invitation, *, base_url: str) -> None:
    task_enqueue_on_commit(
        "partners.invitation_send",
        partner_id=invitation.partner_id,
        invitation_id=invitation.pk,
        base_url=base_url,
    )


@transaction.atomic
def invitation_create(
    *, partner: Partner, actor: User, email: str, full_name: str, roles: list[str], base_url: str
) -> Invitation:
    """Invite an address with roles and e-mail it; the same answer whoever the address is."""
    email = email.strip().lower()
    role_values = roles_validated(roles)
    if User.members.filter(email__iexact=email).exists():
        raise Conflict(
            _("%(email)s is already a user of %(partner)s.")
            % {"email": email, "partner": partner.name},
            code="user_exists", field="email",
        )
    if Invitation.objects.pending().filter(email__iexact=email).exists():
        raise Conflict(
            _("%(email)s is already invited: send the invitation again from the list of users.")
            % {"email": email},
            code="already_invited", field="email",
        )
    now = timezone.now()
    _emails_check(email=email, at=now, resending=False)
    # The e-mail is the invitee's only way in, and only the worker sends it.
    broker_required()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                partner=partner, email=email, full_name=full_name.strip(), roles=role_values,
                invited_by=actor, created_at=now, sent_at=now, expires_at=now + INVITATION_VALID,
                nonce=secrets.token_hex(32),
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(email)s is already invited: send the invitation again from the list of users.")
            % {"email": email},
            code="already_invited", field="email",
        ) from exc
    event_record(
        partner=partner, actor=actor, operation=OperationType.INVITE_PARTNER_USER,
        resource_type=ResourceType.USER, object_id=str(invitation.pk),
        details={"email": email, "roles": role_values},
    )
    _send_on_commit(invitation, base_url=base_url)
    return invitation


def _locked_pending(invitation_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().pending().filter(pk=invitation_id).first()
    )
    if invitation is None:
        raise NotFound(_("Invitation not found."))
    return invitation


@transaction.atomic
def invitation_resend(
    *, partner: Partner, actor: User, invitation_id: int, base_url: str
) -> Invitation:
    """Send a pending invitation again with a new link; the earlier links stop working."""
    invitation = _locked_pending(invitation_id)
    now = timezone.now()
    _emails_check(email=invitation.email, at=now, resending=True)
    broker_required()
    invitation.nonce = secrets.token_hex(32)
    invitation.sent_at, invitation.expires_at = now, now + INVITATION_VALID
    invitation.save(update_fields=["nonce", "sent_at", "expires_at"])
    event_record(
        partner=partner, actor=actor, operation=OperationType.RESEND_PARTNER_INVITATION,
        resource_type=ResourceType.USER, object_id=str(invitation.pk),
        details={"email": invitation.email},
    )
    _send_on_commit(invitation, base_url=base_url)
    return invitation


@transaction.atomic
def invitation_withdraw(*, partner: Partner, actor: User, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    invitation = _locked_pending(invitation_id)
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    event_record(
        partner=partner, actor=actor, operation=OperationType.WITHDRAW_PARTNER_INVITATION,
        resource_type=ResourceType.USER, object_id=str(invitation.pk),
        details={"email": invitation.email},
    )
    return invitation


def _account_of(email: str) -> User | None:
    """The user who signs in with the address, whichever partner (or the operator) it is of."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        verified = (EmailAddress.objects.filter(email__iexact=email, verified=True)
                    .select_related("user").first())
        user = verified.user if verified is not None else None
    return user


def invitation_send(*, invitation_id: int, base_url: str) -> None:
    """E-mail a pending invitation: its link to a new address, a note to an existing account."""
    invitation = (
        Invitation.objects.pending().select_related("partner")
        .filter(pk=invitation_id, expires_at__gt=timezone.now()).first()
    )
    if invitation is None:
        return
    partner = invitation.partner
    account = _account_of(invitation.email)
    with translation.override(user_language(account) if account else partner.language):
        subject = _("You are invited to %(partner)s on the CSP Partner Portal") % {
            "partner": partner.name
        }
        if account is None:
            body = render_to_string("partners/email/invitation.txt", {
                "partner": partner, "link": base_url.rstrip("/") + invitation_path(invitation),
                "expires_at": invitation.expires_at,
            })
        else:
            body = render_to_string(
                "partners/email/invitation_existing_account.txt", {"partner": partner}
            )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


class InvitationUnusable(Gone):
    code = "invitation_unusable"


def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Create the invited user with the invitation's roles, password set and address verified.

    The link named the invitation (partners.selectors.invitation_from_link); its partner is the
    scope of the acceptance.
    """
    with partner_scope(invitation.partner):
        return _invitation_accept(invitation_id=invitation.pk, password=password)


@transaction.atomic
def _invitation_accept(*, invitation_id: int, password: str) -> User:
    now = timezone.now()
    invitation = (
        Invitation.objects.select_for_update().pending()
        .filter(pk=invitation_id, expires_at__gt=now).select_related("partner").first()
    )
    if invitation is None:
        raise InvitationUnusable(_("This invitation was already used, withdrawn or has expired."))
    partner = invitation.partner
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                invitation.email, password, partner=partner, full_name=invitation.full_name,
                roles=invitation.roles, invited_by=invitation.invited_by,
            )
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    except IntegrityError as exc:
        # The address got an account since the invitation went out: it cannot join twice.
        raise InvitationUnusable(
            _("This address already has an account on the portal: sign in with it, or ask "
              "%(partner)s to invite another address.") % {"partner": partner.name},
            code="account_exists",
        ) from exc
    invitation.accepted_at, invitation.user = now, user
    invitation.save(update_fields=["accepted_at", "user"])
    event_record(
        partner=partner, actor=user, operation=OperationType.ACCEPT_PARTNER_INVITATION,
        resource_type=ResourceType.USER, object_id=str(user.pk),
        details={"email": user.email, "roles": user.roles, "invitationId": invitation.pk},
    )
    return user
