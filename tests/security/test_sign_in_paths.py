"""Every way into a session goes through allauth's stages: the admin login, password resets,
invitations and sign-up included. Operator staff, like Admin agents, must have TOTP.

The attacker here knows a password (phished, reused, guessed) but not the TOTP secret, and looks
for a door where the password alone is enough, or where guessing it is not throttled.
"""

from __future__ import annotations

import importlib
import re
import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import LoginView
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from activity.models import Event, OperationType
from core.roles import Role
from core.tenancy import partner_scope
from partners.admin_login import admin_login_view
from partners.invitations import invitation_create, invitation_path
from partners.models import User
from partners.services import api_token_issue
from partners.tests.factories import SupportStaffFactory, UserFactory, totp_enrol

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new horse, battery and staple"
LOGIN = "/accounts/login/"
TOTP_STEP = "/accounts/2fa/authenticate/"
ENROL = "/accounts/2fa/totp/activate/"
REPO = Path(__file__).resolve().parent.parent.parent


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"login": email, "password": password, **extra})


def _session_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def _reaches_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


def _signed_in_with_totp(user, secret: str) -> Client:
    """Signed in through both steps, and the password given again, as switching TOTP off asks."""
    client = Client()
    _sign_in(client, user.email)
    client.post(TOTP_STEP, {"code": _totp_code(secret)})
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def operator(db):
    """Operator staff with the admin site, enrolled in TOTP; the attacker has the password."""
    user = SupportStaffFactory(email="operator@portal.example", is_staff=True)
    return user, totp_enrol(user)


@pytest.fixture
def production_mfa(db, settings, monkeypatch):
    """The production module's MFA rules, as the environment leaves them by default."""
    monkeypatch.setenv("SECRET_KEY", "p" * 50)
    monkeypatch.delenv("PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS", raising=False)
    monkeypatch.delenv("PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF", raising=False)
    prod = importlib.reload(importlib.import_module("csp_portal.settings.prod"))
    settings.PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS = prod.PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS
    settings.PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF = prod.PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF
    return prod


# --- The admin site -----------------------------------------------------------------------------


def test_the_admin_login_sends_visitors_to_the_portals_sign_in(db):
    response = Client().get("/admin/login/", {"next": "/admin/catalog/market/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/catalog/market/"
    # The admin's own pages send anonymous visitors the same way, in two hops.
    first = Client().get("/admin/catalog/market/")
    assert Client().get(first["Location"])["Location"].startswith(LOGIN)


def test_a_password_posted_to_the_admin_login_starts_no_session(operator):
    user, _secret = operator
    for password in (PASSWORD, "wrong password"):
        client = Client()
        response = client.post(
            "/admin/login/?next=/admin/", {"username": user.email, "password": password}
        )
        # The right and the wrong password get the same answer: nothing to learn, no session.
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/admin/"
        assert _session_user_id(client) is None
        assert not _reaches_admin(client)
    assert not Event.objects.all_partners().filter(operation_type=OperationType.SIGN_IN).exists()


def test_operator_staff_reach_the_admin_only_after_the_totp_step(operator):
    user, secret = operator
    client = Client()
    password_step = _sign_in(client, user.email, next="/admin/")
    assert password_step["Location"] == TOTP_STEP
    assert _session_user_id(client) is None
    assert not _reaches_admin(client)
    assert client.get("/support/queue/").status_code == 302
    wrong = client.post(TOTP_STEP, {"code": "000000"})
    assert wrong.status_code == 200 and not _reaches_admin(client)
    done = client.post(TOTP_STEP, {"code": _totp_code(secret)})
    assert done["Location"] == "/admin/"
    assert _reaches_admin(client)


def test_wrong_passwords_for_the_admin_are_throttled_like_the_main_sign_in(operator):
    user, secret = operator
    attacker = Client(REMOTE_ADDR="198.51.100.60")
    for _ in range(5):
        # The only sign-in the admin site offers is the portal's.
        entry = attacker.get("/admin/login/")["Location"]
        assert entry.startswith(LOGIN)
        assert _sign_in(attacker, user.email, "wrong password", next="/admin/").status_code == 200
    refused = _sign_in(attacker, user.email, next="/admin/")
    assert "Too many failed login attempts" in refused.content.decode()
    assert not _reaches_admin(attacker)
    # Posting straight to the admin's login form is no way around the lock.
    attacker.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert _session_user_id(attacker) is None and not _reaches_admin(attacker)


def test_a_signed_in_user_cannot_switch_to_another_account_through_the_admin_login(
    global_admin, operator, client_for
):
    user, _secret = operator
    client = client_for(global_admin)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert _session_user_id(client) == str(global_admin.pk)
    assert not _reaches_admin(client)


def test_signed_in_operator_staff_are_sent_on_from_the_admin_login(operator, client_for):
    user, _secret = operator
    response = client_for(user).get("/admin/login/", {"next": "/admin/catalog/market/"})
    assert (response.status_code, response["Location"]) == (302, "/admin/catalog/market/")


def test_no_route_serves_djangos_password_only_login_view():
    def callbacks(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from callbacks(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                yield entry.callback

    offenders = [
        callback
        for callback in callbacks(get_resolver().url_patterns)
        if isinstance(getattr(callback, "view_class", None), type)
        and issubclass(callback.view_class, LoginView)
    ]
    assert offenders == []
    assert resolve("/admin/login/").func is admin_login_view


def test_no_code_outside_the_tests_signs_anyone_in_past_allauth():
    # allauth's login flow runs the stages (TOTP among them) before it calls django.contrib.auth's
    # login(); a call of that login anywhere else would start a session without them.
    calls = re.compile(r"\bforce_login\(|\bauth\.login\(|\bdjango_login\(|import\s.*\blogin\b")
    skipped = {".venv", "node_modules", "var", ".git", "tests", "artifacts"}
    # The benchmark drives the views through Django's test client, in its own process.
    allowed = {"scripts/bench_activity.py", "conftest.py"}
    offenders = [
        str(path.relative_to(REPO))
        for path in REPO.rglob("*.py")
        if not skipped.intersection(path.relative_to(REPO).parts)
        and str(path.relative_to(REPO)) not in allowed
        and calls.search(path.read_text("utf-8"))
    ]
    assert offenders == []


# --- Operator staff must have TOTP ------------------------------------------------------------


def test_production_settings_require_totp_of_admin_agents_and_operator_staff(production_mfa):
    assert production_mfa.PORTAL_REQUIRE_MFA_FOR_ADMIN_AGENTS is True
    assert production_mfa.PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF is True


@pytest.mark.parametrize(
    "make_staff",
    [
        lambda: SupportStaffFactory(email="new-support@portal.example"),
        lambda: SupportStaffFactory(email="new-admin@portal.example", is_staff=True),
        lambda: UserFactory(email="site-admin@partner.example", is_staff=True, roles=[]),
    ],
    ids=["support staff", "support staff with the admin site", "admin site user"],
)
def test_operator_staff_without_totp_are_sent_to_enrol_before_anything_else(
    production_mfa, make_staff
):
    staff = make_staff()
    client = Client()
    assert _sign_in(client, staff.email).status_code == 302
    for path in ("/", "/support/queue/", "/admin/", "/admin/partners/user/", "/settings/users/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{ENROL}?next={path}", path
    health = client.get("/healthz").json()
    assert "detail" not in health["checks"]["database"]
    # Enrolment itself stays open (allauth asks for the password again first).
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    assert client.get(ENROL).status_code == 200


def test_operator_staff_without_totp_are_refused_by_the_api(production_mfa):
    staff = SupportStaffFactory(email="api-support@portal.example")
    _token, secret = api_token_issue(actor=staff, name="issued before TOTP was required")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    refused = api.get("/v1/servicerequests")
    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa_required"
    totp_enrol(staff)
    assert api.get("/v1/servicerequests").status_code == 200


def test_operator_staff_with_totp_reach_their_pages(production_mfa, support_user, client_for):
    assert client_for(support_user).get("/support/queue/").status_code == 200


def test_compulsory_totp_cannot_be_switched_off(production_mfa, operator, owner_partner):
    user, secret = operator
    refused = _signed_in_with_totp(user, secret).post("/accounts/2fa/totp/deactivate/")
    assert refused.status_code == 200
    assert "You cannot deactivate two-factor authentication" in refused.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # A role without the duty may switch it off.
    sales = UserFactory(partner=owner_partner, roles=[Role.SALES_AGENT.value])
    switched_off = _signed_in_with_totp(sales, totp_enrol(sales)).post(
        "/accounts/2fa/totp/deactivate/"
    )
    assert switched_off.status_code == 302
    assert not Authenticator.objects.filter(user=sales, type=Authenticator.Type.TOTP).exists()


def test_the_demo_may_relax_totp_for_operator_staff_and_says_so(db, settings, client_for):
    settings.PORTAL_REQUIRE_MFA_FOR_OPERATOR_STAFF = False
    staff = SupportStaffFactory(email="demo-support@portal.example")
    response = client_for(staff).get("/support/queue/")
    assert response.status_code == 200
    assert "multi-factor authentication is not enforced" in response.content.decode()


# --- Every other way into a session -----------------------------------------------------------


def test_a_password_reset_signs_nobody_in_and_the_next_sign_in_asks_for_totp(
    owner_partner, mailoutbox
):
    agent = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    secret = totp_enrol(agent)
    client = Client()
    client.post("/accounts/password/reset/", {"email": agent.email})
    [mail] = mailoutbox
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert _session_user_id(client) is None
    assert client.get("/customers/").status_code == 302
    assert _sign_in(client, agent.email, NEW_PASSWORD)["Location"] == TOTP_STEP
    assert _session_user_id(client) is None
    client.post(TOTP_STEP, {"code": _totp_code(secret)})
    assert client.get("/customers/").status_code == 200


def test_accepting_an_invitation_signs_nobody_in(owner_partner, global_admin):
    with partner_scope(owner_partner):
        invitation = invitation_create(
            partner=owner_partner, actor=global_admin, email="invitee@owner.example",
            full_name="Invitee", roles=[Role.ADMIN_AGENT.value], base_url="http://testserver/",
        )
    client = Client()
    accepted = client.post(
        invitation_path(invitation),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert (accepted.status_code, accepted["Location"]) == (302, LOGIN)
    assert _session_user_id(client) is None
    assert client.get("/customers/").status_code == 302
    with partner_scope(owner_partner):
        assert not Event.objects.filter(operation_type=OperationType.SIGN_IN).exists()


def test_sign_up_creates_no_account_and_no_session(db):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"email": "walk-in@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code in (200, 403)
    assert not User.objects.filter(email="walk-in@example.com").exists()
    assert _session_user_id(client) is None
