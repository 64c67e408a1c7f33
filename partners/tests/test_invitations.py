"""Invitations: the answer never tells whose the address is; an invitation can be sent again
(a new link, the old one dead, recorded, rate-limited), withdrawn, and accepted once."""

from __future__ import annotations

import importlib
import re
import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from activity.models import Event, OperationType
from core.errors import Conflict, PortalError
from core.roles import Role
from core.tenancy import partner_scope
from partners.invitations import (
    EMAILS_PER_ADDRESS_PER_DAY,
    invitation_accept,
    invitation_create,
    invitation_path,
    invitation_send,
)
from partners.models import Invitation, User
from partners.tests.factories import UserFactory

INVITE = "/settings/users/invite/"
USERS = "/settings/users/"
NEW_PASSWORD = "a-long-new-pass-2026"


def _invite(client, email, *, roles=("sales_agent",)):
    return client.post(INVITE, {"email": email, "full_name": "Someone New", "roles": roles})


def _invitation(partner, email) -> Invitation:
    with partner_scope(partner):
        return Invitation.objects.pending().get(email=email.lower())


def _events(partner, operation) -> list[Event]:
    with partner_scope(partner):
        return list(Event.objects.filter(operation_type=operation).order_by("occurred_at"))


def _row(html: str, email: str) -> str:
    return html.split(f"<td>{email}</td>")[1].split("</tr>")[0]


def _neutral(html: str, email: str) -> str:
    """The row without what differs between any two invitations: address, id, time, token."""
    html = re.sub(r"<time [^>]+>[^<]+</time>", "", html.replace(email, "EMAIL"))
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"/invitations/\d+/", "/invitations/ID/", html)


def _accept(path, password=NEW_PASSWORD):
    return Client().post(path, {"new_password1": password, "new_password2": password})


@pytest.fixture
def addresses(outsider, support_user):
    """A new address, another partner's user's and the operator's."""
    return {
        "new": "someone.new@example.com",
        "another partner's user": outsider.email,
        "the operator": support_user.email,
    }


def test_the_answer_is_the_same_for_a_new_address_another_partners_user_and_the_operator(
    global_admin, client_for, addresses
):
    client = client_for(global_admin)
    client.get(USERS)  # the session's first request does its own bookkeeping
    answers = {}
    for kind, email in addresses.items():
        with CaptureQueriesContext(connection) as queries:
            response = _invite(client, email)
        listed = client.get(USERS)
        [message] = [str(m) for m in get_messages(listed.wsgi_request)]
        [event] = [e for e in _events(global_admin.partner, OperationType.INVITE_PARTNER_USER)
                   if e.details["email"] == email]
        answers[kind] = (
            response.status_code, response["Location"], len(queries),
            message.replace(email, "EMAIL"),
            _neutral(_row(listed.content.decode(), email), email),
            (event.actor, event.details["roles"], event.object_id.isdigit()),
        )
        assert _invitation(global_admin.partner, email).roles == ["sales_agent"]
    assert answers["new"] == answers["another partner's user"] == answers["the operator"]
    assert answers["new"][:2] == (302, USERS)
    assert answers["new"][3] == "Invitation sent to EMAIL."


def test_only_the_address_owner_learns_it_already_has_an_account(
    global_admin, outsider, support_user, mailoutbox
):
    outsider.language = "it"
    outsider.save(update_fields=["language"])
    partner = global_admin.partner
    with partner_scope(partner):
        for email in ("someone.new@example.com", outsider.email, support_user.email):
            invitation = invitation_create(
                partner=partner, actor=global_admin, email=email, full_name="X",
                roles=["sales_agent"], base_url="http://testserver/",
            )
            invitation_send(invitation_id=invitation.pk, base_url="http://testserver/")
    new, theirs, operators = mailoutbox
    assert "/invitation/" in new.body and "Choose your password" in new.body
    for mail in (theirs, operators):
        assert "/invitation/" not in mail.body
    assert "ha già un account" in theirs.body, "in the account holder's language"
    assert "already has an account on the portal" in operators.body
    assert new.subject == operators.subject
    assert User.objects.get(email=outsider.email).partner == outsider.partner, "unchanged"


def test_another_partners_user_cannot_be_pulled_in_by_accepting(global_admin, outsider):
    with partner_scope(global_admin.partner):
        invitation = invitation_create(
            partner=global_admin.partner, actor=global_admin, email=outsider.email,
            full_name="X", roles=["global_admin"], base_url="http://testserver/",
        )
    # Even with the link, which the portal never sends to an existing account.
    response = _accept(invitation_path(invitation))
    assert response.status_code == 410
    assert "already has an account" in response.content.decode()
    outsider.refresh_from_db()
    assert outsider.partner != global_admin.partner and outsider.check_password(
        "correct horse battery staple"
    )


def test_sending_again_makes_a_new_link_kills_the_old_one_and_is_recorded(
    global_admin, client_for, time_machine, mailoutbox
):
    client = client_for(global_admin)
    _invite(client, "late@example.com")
    first = _invitation(global_admin.partner, "late@example.com")
    old_path = invitation_path(first)
    time_machine.move_to(timezone.now() + timedelta(minutes=11), tick=False)

    response = client.post(f"/settings/users/invitations/{first.pk}/resend/", follow=True)

    assert "Invitation sent again to late@example.com" in response.content.decode()
    again = _invitation(global_admin.partner, "late@example.com")
    assert again.pk == first.pk and invitation_path(again) != old_path
    assert again.expires_at == timezone.now() + timedelta(days=7)
    assert Client().get(old_path).status_code == 410
    with partner_scope(global_admin.partner):
        invitation_send(invitation_id=again.pk, base_url="http://testserver/")
    [mail] = mailoutbox
    assert invitation_path(again) in mail.body
    [event] = _events(global_admin.partner, OperationType.RESEND_PARTNER_INVITATION)
    assert event.actor == global_admin and event.object_id == str(first.pk)
    assert _accept(old_path).status_code == 410
    assert _accept(invitation_path(again)).status_code == 302
    assert User.objects.get(email="late@example.com").partner == global_admin.partner


def test_a_second_send_within_ten_minutes_is_refused_and_changes_nothing(
    global_admin, client_for, time_machine
):
    client = client_for(global_admin)
    _invite(client, "late@example.com")
    invitation = _invitation(global_admin.partner, "late@example.com")
    time_machine.move_to(timezone.now() + timedelta(minutes=9), tick=False)

    response = client.post(f"/settings/users/invitations/{invitation.pk}/resend/", follow=True)

    assert "less than 10 minutes ago; it can be sent again in 1 minute." in (
        response.content.decode()
    )
    assert _invitation(global_admin.partner, "late@example.com").nonce == invitation.nonce
    assert _events(global_admin.partner, OperationType.RESEND_PARTNER_INVITATION) == []


def test_an_address_gets_at_most_five_invitation_e_mails_a_day_withdrawn_or_not(
    global_admin, client_for, time_machine
):
    client = client_for(global_admin)
    _invite(client, "late@example.com")
    invitation = _invitation(global_admin.partner, "late@example.com")
    for _ in range(EMAILS_PER_ADDRESS_PER_DAY - 1):
        time_machine.move_to(timezone.now() + timedelta(minutes=11), tick=False)
        client.post(f"/settings/users/invitations/{invitation.pk}/resend/")
    assert len(_events(global_admin.partner, OperationType.RESEND_PARTNER_INVITATION)) == 4
    time_machine.move_to(timezone.now() + timedelta(minutes=11), tick=False)

    refused = client.post(f"/settings/users/invitations/{invitation.pk}/resend/", follow=True)
    assert "was sent 5 invitation e-mails in the last 24 hours" in refused.content.decode()
    client.post(f"/settings/users/invitations/{invitation.pk}/withdraw/")
    again = _invite(client, "late@example.com")
    assert again.status_code == 200
    assert "in the last 24 hours" in again.content.decode()
    with partner_scope(global_admin.partner):
        assert not Invitation.objects.pending().filter(email="late@example.com").exists()

    time_machine.move_to(timezone.now() + timedelta(days=1), tick=False)
    assert _invite(client_for(global_admin), "late@example.com")["Location"] == USERS


def test_withdrawing_kills_the_link_and_lets_the_address_be_invited_again(
    global_admin, client_for
):
    client = client_for(global_admin)
    _invite(client, "late@example.com")
    invitation = _invitation(global_admin.partner, "late@example.com")
    path = invitation_path(invitation)
    client.post(f"/settings/users/invitations/{invitation.pk}/withdraw/")
    assert Client().get(path).status_code == 410
    assert 'id="invitations"' not in client.get(USERS).content.decode()
    [event] = _events(global_admin.partner, OperationType.WITHDRAW_PARTNER_INVITATION)
    assert event.details == {"email": "late@example.com"}
    assert _invite(client, "late@example.com").status_code == 302


def test_inviting_an_address_already_invited_says_so(global_admin, client_for):
    client = client_for(global_admin)
    _invite(client, "late@example.com")
    response = _invite(client, "LATE@example.com")
    assert response.status_code == 200
    assert "is already invited: send the invitation again" in response.content.decode()


@pytest.mark.parametrize("action", ["resend", "withdraw"])
def test_another_partners_invitation_is_not_found_and_unchanged(
    global_admin, outsider, client_for, action
):
    _invite(client_for(global_admin), "late@example.com")
    invitation = _invitation(global_admin.partner, "late@example.com")
    response = client_for(outsider).post(f"/settings/users/invitations/{invitation.pk}/{action}/")
    assert response.status_code == 404
    after = _invitation(global_admin.partner, "late@example.com")
    assert (after.nonce, after.withdrawn_at) == (invitation.nonce, None)


def test_an_expired_link_is_refused_until_the_invitation_is_sent_again(
    global_admin, client_for, time_machine
):
    client = client_for(global_admin)
    _invite(client, "late@example.com")
    invitation = _invitation(global_admin.partner, "late@example.com")
    time_machine.move_to(timezone.now() + timedelta(days=7, seconds=1), tick=False)
    assert Client().get(invitation_path(invitation)).status_code == 410
    client = client_for(global_admin)  # a week later, in a new session
    assert "Link expired" in _row(client.get(USERS).content.decode(), "late@example.com")
    client.post(f"/settings/users/invitations/{invitation.pk}/resend/")
    fresh = _invitation(global_admin.partner, "late@example.com")
    assert Client().get(invitation_path(fresh)).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/invitation/not-base64!/abc/",
        f"/invitation/{urlsafe_base64_encode(str(2**70).encode())}/abc/",
        f"/invitation/{urlsafe_base64_encode(b'-3')}/abc/",
        "/invitation/MQ/" + "0" * 64 + "/",
    ],
)
def test_a_malformed_or_forged_link_answers_410_never_an_error(global_admin, path):
    for method in ("get", "post"):
        assert getattr(Client(), method)(path).status_code == 410


def test_a_link_with_another_invitations_token_is_refused(global_admin, client_for):
    client = client_for(global_admin)
    _invite(client, "one@example.com")
    _invite(client, "two@example.com")
    one, two = (_invitation(global_admin.partner, email)
                for email in ("one@example.com", "two@example.com"))
    forged = invitation_path(one).replace(invitation_path(one).split("/")[2],
                                          invitation_path(two).split("/")[2])
    assert Client().get(forged).status_code == 410


def test_an_address_that_got_an_account_meanwhile_cannot_accept(global_admin, outsider, client_for):
    _invite(client_for(global_admin), "late@example.com")
    invitation = _invitation(global_admin.partner, "late@example.com")
    UserFactory(partner=outsider.partner, email="late@example.com")
    response = _accept(invitation_path(invitation))
    assert response.status_code == 410
    assert "already has an account on the portal" in response.content.decode()
    assert User.objects.get(email="late@example.com").partner == outsider.partner
    assert _invitation(global_admin.partner, "late@example.com").accepted_at is None


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_create_one_user(global_admin):
    with partner_scope(global_admin.partner):
        invitation = invitation_create(
            partner=global_admin.partner, actor=global_admin, email="late@example.com",
            full_name="Late", roles=["sales_agent"], base_url="http://testserver/",
        )
    start = threading.Barrier(3)
    outcomes = []

    def accept():
        try:
            start.wait()
            invitation_accept(invitation=invitation, password=NEW_PASSWORD)
            outcomes.append("accepted")
        except PortalError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "invitation_unusable", "invitation_unusable"]
    assert User.objects.filter(email="late@example.com").count() == 1
    assert EmailAddress.objects.filter(email="late@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_invitations_of_one_address_at_once_make_one(global_admin):
    start = threading.Barrier(2)
    outcomes = []

    def invite():
        try:
            start.wait()
            with partner_scope(global_admin.partner):
                invitation_create(
                    partner=global_admin.partner, actor=global_admin, email="late@example.com",
                    full_name="Late", roles=["sales_agent"], base_url="http://testserver/",
                )
            outcomes.append("invited")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=invite) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_invited", "invited"]
    with partner_scope(global_admin.partner):
        assert Invitation.objects.filter(email="late@example.com").count() == 1


def test_users_invited_before_invitations_existed_become_pending_invitations(
    global_admin, owner_partner
):
    migration = importlib.import_module(
        "partners.migrations.0004_pending_invitees_become_invitations"
    )
    pending = User.objects.create_user(
        "pending@owner.example", partner=owner_partner, roles=[Role.SALES_AGENT.value],
        full_name="Pending", invited_by=global_admin,
    )
    EmailAddress.objects.create(user=pending, email=pending.email, primary=True, verified=False)
    referenced = User.objects.create_user("tried@owner.example", partner=owner_partner,
                                          roles=[Role.SALES_AGENT.value])
    Client().post("/accounts/login/", {"login": referenced.email, "password": "a-wrong-guess"})

    state = MigrationLoader(connection).project_state(
        ("partners", "0004_pending_invitees_become_invitations")
    )
    migration.pending_invitees_become_invitations(state.apps, None)

    assert not User.objects.filter(email="pending@owner.example").exists()
    invitation = _invitation(owner_partner, "pending@owner.example")
    assert (invitation.roles, invitation.full_name, invitation.invited_by) == (
        [Role.SALES_AGENT.value], "Pending", global_admin
    )
    assert invitation.expires_at <= timezone.now(), "sent again before it can be used"
    assert User.objects.filter(email="tried@owner.example").exists(), "the log refers to it"
    assert User.objects.filter(email=global_admin.email).exists()
