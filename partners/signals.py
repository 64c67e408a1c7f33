"""Sign-in outcomes reach the activity log only through auth signals, so they are heard here."""

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from activity.models import OperationType, ResourceType
from activity.services import event_record

from .models import User


def _record(user, operation, **extra):
    with transaction.atomic():
        event_record(
            partner=user.partner if user else None,
            actor=user,
            operation=operation,
            resource_type=ResourceType.USER,
            object_id=str(user.pk) if user else "",
            **extra,
        )


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    _record(user, OperationType.SIGN_IN)


@receiver(user_logged_out)
def record_sign_out(sender, request, user, **kwargs):
    if user is not None:
        _record(user, OperationType.SIGN_OUT)


@receiver(user_login_failed)
def record_sign_in_failure(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    user = User.objects.select_related("partner").filter(email__iexact=email).first()
    with transaction.atomic():
        event_record(
            partner=user.partner if user else None,
            actor=user,
            actor_email=email,
            operation=OperationType.SIGN_IN_FAILED,
            operation_status="failed",
            resource_type=ResourceType.USER,
            object_id=str(user.pk) if user else "",
        )


@receiver(authenticator_added)
def record_mfa_added(sender, request, user, authenticator, **kwargs):
    _record(user, OperationType.MFA_CHANGED, details={"added": authenticator.type})


@receiver(authenticator_removed)
def record_mfa_removed(sender, request, user, authenticator, **kwargs):
    _record(user, OperationType.MFA_CHANGED, details={"removed": authenticator.type})
