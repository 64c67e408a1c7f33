"""Invited users who never set a password become pending invitations: since invitations exist,
the user is created only when the invitee accepts.

Their old links die with this change, so each becomes an invitation whose link has expired; the
partner's Global admin sends it again from the Users page. A pending user that something refers
to (a failed sign-in in the activity log) cannot be removed: it is left as it was.
Going back keeps the invitations table's rows out of the way and recreates nobody.
"""

import secrets

from django.db import IntegrityError, migrations, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone

# django.contrib.auth.hashers.UNUSABLE_PASSWORD_PREFIX
UNUSABLE_PASSWORD_PREFIX = "!"


def pending_invitees_become_invitations(apps, schema_editor) -> None:
    user_model = apps.get_model("partners", "User")
    invitation_model = apps.get_model("partners", "Invitation")
    email_address_model = apps.get_model("account", "EmailAddress")
    now = timezone.now()
    pending = user_model.objects.filter(
        partner__isnull=False,
        is_active=True,
        last_login__isnull=True,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
    )
    for user in pending.iterator():
        try:
            with transaction.atomic():
                invitation_model.objects.create(
                    partner_id=user.partner_id,
                    email=user.email,
                    full_name=user.full_name,
                    roles=user.roles,
                    invited_by_id=user.invited_by_id,
                    created_at=user.date_joined,
                    sent_at=user.date_joined,
                    expires_at=now,
                    nonce=secrets.token_hex(32),
                )
                email_address_model.objects.filter(user_id=user.pk).delete()
                user.delete()
        except (IntegrityError, ProtectedError, RestrictedError):
            continue


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0003_invitations"),
        ("account", "0009_emailaddress_unique_primary_email"),
        # The activity log refers to users (PROTECT): with it in the state, a pending user it
        # refers to is seen as such and kept.
        ("activity", "0009_invitation_operations"),
    ]

    operations = [
        migrations.RunPython(pending_invitees_become_invitations, migrations.RunPython.noop),
    ]
