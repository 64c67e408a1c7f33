"""Sign-in (allauth): events, throttling, TOTP, MFA enforcement and session lifetime."""

import time
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client, override_settings
from django.utils import timezone

from activity.models import Event, OperationType
from core.roles import Role
from core.tenancy import partner_scope
from partners.tests.factories import UserFactory, totp_enrol

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


def _sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _events(partner, operation):
    with partner_scope(partner):
        return list(Event.objects.filter(operation_type=operation))


def test_sign_in_with_email_and_password_is_recorded(global_admin):
    client = Client(HTTP_USER_AGENT="pytest-browser")
    response = _sign_in(client, global_admin.email)
    assert response.status_code == 302
    assert client.get("/settings/users/").status_code == 200
    [event] = _events(global_admin.partner, OperationType.SIGN_IN)
    assert (event.actor, event.actor_email, event.user_agent) == (
        global_admin,
        global_admin.email,
        "pytest-browser",
    )
    assert event.ip_address == "127.0.0.1"


def test_failed_sign_in_is_refused_and_recorded(global_admin):
    response = _sign_in(Client(), global_admin.email, "wrong password")
    assert response.status_code == 200
    assert b"not correct" in response.content
    [event] = _events(global_admin.partner, OperationType.SIGN_IN_FAILED)
    assert event.operation_status == "failed" and event.actor_email == global_admin.email


def test_repeated_failed_sign_ins_are_throttled(global_admin):
    client = Client()
    for _ in range(5):
        _sign_in(client, global_admin.email, "wrong password")
    # Even the right password is refused while the limit holds.
    response = _sign_in(client, global_admin.email)
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert client.get("/settings/users/").status_code == 302


def test_deactivated_users_cannot_sign_in(global_admin):
    user = UserFactory(partner=global_admin.partner, is_active=False)
    _sign_in(Client(), user.email)
    client = Client()
    _sign_in(client, user.email)
    assert client.get("/settings/api-tokens/").status_code == 302


def test_sign_in_with_totp_asks_for_the_code(owner_partner):
    user = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    secret = totp_enrol(user)
    client = Client()
    response = _sign_in(client, user.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/settings/api-tokens/").status_code == 302
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    client.post("/accounts/2fa/authenticate/", {"code": _totp_code(secret)})
    assert client.get("/settings/api-tokens/").status_code == 200


def test_admin_agent_without_totp_is_sent_to_enrol(owner_partner, client_for):
    agent = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    response = client_for(agent).get("/customers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_admin_agent_with_totp_reaches_the_portal(owner_partner, client_for):
    agent = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    totp_enrol(agent)
    assert client_for(agent).get("/customers/").status_code == 200


def test_other_roles_are_not_forced_to_enrol(role_users, client_for):
    assert client_for(role_users[Role.SALES_AGENT]).get("/customers/").status_code == 200


@override_settings(PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS=False)
def test_with_the_setting_off_admin_agents_skip_enrolment_and_the_page_says_so(
    owner_partner, client_for
):
    agent = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    response = client_for(agent).get("/customers/")
    assert response.status_code == 200
    assert b"multi-factor authentication is not enforced" in response.content


def test_session_ends_after_30_minutes_idle(global_admin, client_for, time_machine):
    client = client_for(global_admin)
    assert client.get("/settings/users/").status_code == 200
    time_machine.move_to(timezone.now() + timedelta(minutes=29))
    assert client.get("/settings/users/").status_code == 200
    time_machine.move_to(timezone.now() + timedelta(minutes=31))
    assert client.get("/settings/users/").status_code == 302


def test_session_ends_after_12_hours_even_when_active(global_admin, client_for, time_machine):
    client = client_for(global_admin)
    start = timezone.now()
    for minutes in range(0, 12 * 60, 25):
        time_machine.move_to(start + timedelta(minutes=minutes))
        assert client.get("/settings/users/").status_code == 200
    time_machine.move_to(start + timedelta(hours=12, minutes=1))
    assert client.get("/settings/users/").status_code == 302


@pytest.mark.parametrize("path", ["/accounts/signup/"])
def test_open_sign_up_is_closed(db, path):
    response = Client().get(path)
    assert b"Sign Up Closed" in response.content or response.status_code in (403, 404)
