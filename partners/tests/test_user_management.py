"""A Global admin invites users, assigns and removes roles, deactivates users; all recorded."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from activity.models import Event, OperationType
from core.errors import PortalError
from core.roles import Role
from core.tenancy import partner_scope
from partners.models import ApiToken, User
from partners.services import user_deactivate, user_roles_set
from tests.waiting import wait_until


def _events(partner, operation):
    with partner_scope(partner):
        return list(Event.objects.filter(operation_type=operation))


def test_invited_user_sets_a_password_verifies_the_address_and_signs_in(
    global_admin, client_for, mailoutbox, celery_worker
):
    admin_client = client_for(global_admin)
    response = admin_client.post(
        "/settings/users/invite/",
        {
            "email": "New.Person@Owner.example",
            "full_name": "New Person",
            "roles": [Role.SALES_AGENT.value, Role.BILLING_ADMIN.value],
        },
    )
    assert response.status_code == 302
    assert not User.objects.filter(email="new.person@owner.example").exists(), (
        "the user is created when the invitation is accepted"
    )
    listed = admin_client.get("/settings/users/").content.decode()
    assert "new.person@owner.example" in listed.split('id="invitations"')[1]

    [mail] = wait_until(lambda: list(mailoutbox))
    assert mail.to == ["new.person@owner.example"]
    link = re.search(r"http://testserver(/invitation/\S+/)", mail.body).group(1)
    guest = Client()
    assert guest.get(link).status_code == 200
    guest.post(
        link, {"new_password1": "a-long-new-pass-2026", "new_password2": "a-long-new-pass-2026"}
    )
    invited = User.objects.get(email="new.person@owner.example")
    assert invited.partner == global_admin.partner and invited.invited_by == global_admin
    assert invited.roles == [Role.SALES_AGENT.value, Role.BILLING_ADMIN.value]
    assert EmailAddress.objects.get(user=invited).verified
    assert guest.get(link).status_code == 410, "an invitation link works once"

    guest.post("/accounts/login/", {"login": invited.email, "password": "a-long-new-pass-2026"})
    assert guest.get("/customers/").status_code == 200
    [event] = _events(global_admin.partner, OperationType.INVITE_PARTNER_USER)
    assert event.actor == global_admin and event.details["email"] == invited.email
    [accepted] = _events(global_admin.partner, OperationType.ACCEPT_PARTNER_INVITATION)
    assert accepted.actor == invited and accepted.details["roles"] == invited.roles
    assert "new.person@owner.example" not in admin_client.get("/settings/users/").content.decode(
    ).split('id="invitations-heading"')[1], "no longer pending"


def test_inviting_a_user_of_ones_own_partner_says_so_and_changes_nothing(
    global_admin, client_for
):
    before = User.objects.count()
    response = client_for(global_admin).post(
        "/settings/users/invite/",
        {"email": global_admin.email.upper(), "full_name": "Twin", "roles": ["sales_agent"]},
    )
    assert response.status_code == 200
    assert b"is already a user of Northwind Test" in response.content
    assert User.objects.count() == before


def test_roles_are_assigned_and_removed_and_recorded(global_admin, role_users, client_for):
    sales = role_users[Role.SALES_AGENT]
    response = client_for(global_admin).post(
        f"/settings/users/{sales.pk}/", {"roles": [Role.ADMIN_AGENT.value]}
    )
    assert response.status_code == 302
    sales.refresh_from_db()
    assert sales.roles == [Role.ADMIN_AGENT.value]
    [event] = _events(global_admin.partner, OperationType.UPDATE_PARTNER_USER)
    assert event.details == {
        "email": sales.email,
        "rolesBefore": ["sales_agent"],
        "rolesAfter": ["admin_agent"],
    }


def test_the_last_global_admin_cannot_lose_the_role(global_admin):
    with partner_scope(global_admin.partner), pytest.raises(PortalError) as error:
        user_roles_set(
            partner=global_admin.partner,
            actor=global_admin,
            user_id=global_admin.pk,
            roles=[Role.SALES_AGENT.value],
        )
    assert error.value.code == "last_global_admin"
    global_admin.refresh_from_db()
    assert global_admin.has_role(Role.GLOBAL_ADMIN)


def test_a_deactivated_user_is_signed_out_of_the_api_and_recorded(
    global_admin, role_users, api_client_for
):
    billing = role_users[Role.BILLING_ADMIN]
    api = api_client_for(billing)
    assert api.get("/v1/me").status_code == 200
    with partner_scope(global_admin.partner):
        user_deactivate(partner=global_admin.partner, actor=global_admin, user_id=billing.pk)
    assert api.get("/v1/me").status_code == 401
    assert _events(global_admin.partner, OperationType.DEACTIVATE_PARTNER_USER)


def test_admins_cannot_deactivate_themselves(global_admin, client_for):
    client = client_for(global_admin)
    response = client.post(f"/settings/users/{global_admin.pk}/deactivate/", follow=True)
    assert b"cannot deactivate yourself" in response.content
    global_admin.refresh_from_db()
    assert global_admin.is_active


def test_unknown_role_values_are_refused(global_admin, role_users, client_for):
    sales = role_users[Role.SALES_AGENT]
    response = client_for(global_admin).post(
        f"/settings/users/{sales.pk}/", {"roles": ["superuser"]}
    )
    assert response.status_code == 200
    sales.refresh_from_db()
    assert sales.roles == [Role.SALES_AGENT.value]


def test_api_token_is_shown_once_then_only_listed(global_admin, client_for):
    client = client_for(global_admin)
    response = client.post("/settings/api-tokens/", {"name": "ci", "days_valid": 30}, follow=True)
    assert response.redirect_chain == [("/settings/api-tokens/", 302)]
    clear = re.search(rb'id="new-token">(cspp_[^<]+)<', response.content).group(1).decode()
    assert clear.encode() not in client.get("/settings/api-tokens/").content
    assert ApiToken.objects.filter(user=global_admin).count() == 1
    api = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert api.get("/v1/me").status_code == 200
