"""Session fixation: a new session key at every change of who is signed in, the old one dead.
CSRF: the main forms refuse a post without the token, change nothing, and say so plainly."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from activity.models import Event, OperationType
from catalog.tests.factories import market, priced_sku
from core.roles import Role
from core.tenancy import partner_scope
from customers.models import Customer
from orders.cart import cart_lines
from orders.models import Order, Purchase, PurchaseStatus
from partners.models import ApiToken, Invitation, User
from partners.tests.factories import UserFactory, totp_enrol
from software.models import DownloadLink
from support.models import ServiceRequest

from .checks import answer_problems
from .conftest import keys_url, variant_form

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a different horse, battery and staple"
LOGIN = "/accounts/login/"
PRIVATE_PAGE = "/settings/api-tokens/"
SESSION_COOKIE = settings.SESSION_COOKIE_NAME


def _session_key(client) -> str:
    return client.cookies[SESSION_COOKIE].value


def _planted_session(client) -> str:
    """A session the attacker made and planted in the victim's browser before sign-in."""
    session = client.session
    session["planted"] = True
    session.save()
    return session.session_key


def _reaches_private_page(session_key: str) -> bool:
    intruder = Client()
    intruder.cookies[SESSION_COOKIE] = session_key
    return intruder.get(PRIVATE_PAGE).status_code == 200


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_sign_in_gives_a_new_session_key_and_the_planted_one_stays_anonymous(global_admin):
    client = Client()
    planted = _planted_session(client)
    response = client.post(LOGIN, {"login": global_admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _session_key(client) != planted
    assert client.get(PRIVATE_PAGE).status_code == 200
    assert not _reaches_private_page(planted)


def test_the_totp_step_gives_another_new_session_key(owner_partner):
    user = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    secret = totp_enrol(user)
    client = Client()
    planted = _planted_session(client)
    password_step = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert password_step["Location"] == "/accounts/2fa/authenticate/"
    half_way = _session_key(client)
    assert not _reaches_private_page(half_way), "a password alone must not reach the portal"
    client.post("/accounts/2fa/authenticate/", {"code": _totp_code(secret)})
    signed_in = _session_key(client)
    assert client.get(PRIVATE_PAGE).status_code == 200
    assert signed_in not in (planted, half_way)
    assert not _reaches_private_page(planted) and not _reaches_private_page(half_way)


def test_sign_out_kills_the_session_key(global_admin):
    client = Client()
    client.post(LOGIN, {"login": global_admin.email, "password": PASSWORD})
    signed_in = _session_key(client)
    assert _reaches_private_page(signed_in)
    client.post("/accounts/logout/")
    assert not _reaches_private_page(signed_in)
    assert not Session.objects.filter(session_key=signed_in).exists()


def test_a_password_change_rotates_this_session_and_ends_the_others(global_admin):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.post(LOGIN, {"login": global_admin.email, "password": PASSWORD})
    before = _session_key(here)
    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _session_key(here) != before
    assert here.get(PRIVATE_PAGE).status_code == 200
    assert not _reaches_private_page(before)
    assert elsewhere.get(PRIVATE_PAGE).status_code == 302, "another browser stays signed in"


# --- CSRF ----------------------------------------------------------------------------------------


def _csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def _token(client, page: str) -> str:
    """The CSRF token a browser would have after showing the page."""
    assert client.get(page).status_code == 200
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _refused_then_accepted(client, *, page: str, path: str, data: dict, count) -> None:
    """Without the token: 403, the portal's page, nothing changed. With it: the change happens."""
    token = _token(client, page)
    before = count()
    refused = client.post(path, data)
    assert refused.status_code == 403, path
    assert count() == before, f"{path} changed something without a CSRF token"
    html = refused.content.decode()
    assert "This form has expired" in html and "Nothing was changed" in html
    assert "CSRF verification failed" not in html
    assert answer_problems(refused) == []
    accepted = client.post(path, {**data, "csrfmiddlewaretoken": token})
    assert accepted.status_code in (200, 302), f"{path} answered {accepted.status_code}"
    assert count() != before, f"{path} changed nothing even with the token"


def _scoped_count(partner, queryset_of):
    def count():
        with partner_scope(partner):
            return queryset_of().count()

    return count


def test_sign_in_needs_the_csrf_token(global_admin):
    client = _csrf_client()
    _refused_then_accepted(
        client,
        page=LOGIN,
        path=LOGIN,
        data={"login": global_admin.email, "password": PASSWORD},
        count=_scoped_count(
            global_admin.partner,
            lambda: Event.objects.filter(operation_type=OperationType.SIGN_IN),
        ),
    )


def test_sign_out_needs_the_csrf_token(global_admin):
    client = _csrf_client(global_admin)
    _refused_then_accepted(
        client,
        page=PRIVATE_PAGE,
        path="/accounts/logout/",
        data={},
        count=_scoped_count(
            global_admin.partner,
            lambda: Event.objects.filter(operation_type=OperationType.SIGN_OUT),
        ),
    )


def test_adding_to_the_cart_and_placing_an_order_need_the_csrf_token(customer, global_admin):
    sku = priced_sku(countries=("IT",), unit_price=Decimal("50"))
    offer = sku.availabilities.get(market=market("IT")).catalog_item_id
    client = _csrf_client(global_admin)
    base = f"/customers/{customer.entra_tenant_id}"
    _refused_then_accepted(
        client,
        page=f"{base}/add-products/",
        path=f"{base}/cart/add/",
        data={"offer_id": offer, "quantity": 1},
        count=lambda: len(cart_lines(client.session, customer)),
    )
    _refused_then_accepted(
        client,
        page=f"{base}/cart/",
        path=f"{base}/cart/place/",
        data={"submission_id": str(uuid.uuid4())},
        count=_scoped_count(customer.partner, lambda: Order.objects.all()),
    )


def test_getting_keys_and_a_download_link_needs_the_csrf_token(agent, purchase, variant):
    client = _csrf_client(agent)
    _refused_then_accepted(
        client,
        page=f"/customers/{purchase.customer.entra_tenant_id}/software/",
        path=keys_url(purchase),
        data=variant_form(variant),
        count=_scoped_count(purchase.partner, lambda: DownloadLink.objects.all()),
    )


def test_cancelling_a_purchase_needs_the_csrf_token(agent, purchase):
    client = _csrf_client(agent)
    path = f"/customers/{purchase.customer.entra_tenant_id}/software/{purchase.pk}/cancel/"
    _refused_then_accepted(
        client,
        page=path,
        path=path,
        data={"purchase": purchase.pk, "acknowledged": "on"},
        count=_scoped_count(
            purchase.partner,
            lambda: Purchase.objects.filter(status=PurchaseStatus.PENDING_CANCELLATION),
        ),
    )


def test_filing_a_support_request_needs_the_csrf_token(agent):
    client = _csrf_client(agent)
    _refused_then_accepted(
        client,
        page="/support/new/",
        path="/support/new/",
        data={
            "topic": "account_access",
            "impact": "medium",
            "title": "Locked out",
            "description": "A colleague cannot sign in.",
            "contact_name": "Maria Rossi",
            "contact_email": "maria@northwind.example",
            "contact_phone": "+390212345678",
        },
        count=_scoped_count(agent.partner, lambda: ServiceRequest.objects.all()),
    )


def test_preferences_need_the_csrf_token(global_admin):
    client = _csrf_client(global_admin)
    _refused_then_accepted(
        client,
        page="/settings/preferences/",
        path="/settings/preferences/",
        data={"language": "it", "time_zone": "Europe/Rome"},
        count=lambda: User.objects.filter(pk=global_admin.pk, language="it").count(),
    )


def test_creating_and_revoking_api_tokens_need_the_csrf_token(global_admin):
    client = _csrf_client(global_admin)
    _refused_then_accepted(
        client,
        page=PRIVATE_PAGE,
        path=PRIVATE_PAGE,
        data={"name": "CI", "days_valid": 30},
        count=lambda: ApiToken.objects.filter(user=global_admin).count(),
    )
    token = ApiToken.objects.get(user=global_admin)
    _refused_then_accepted(
        client,
        page=PRIVATE_PAGE,
        path=f"/settings/api-tokens/{token.pk}/revoke/",
        data={},
        count=lambda: ApiToken.objects.filter(user=global_admin, revoked_at__isnull=True).count(),
    )


def test_inviting_a_user_needs_the_csrf_token(global_admin):
    client = _csrf_client(global_admin)
    _refused_then_accepted(
        client,
        page="/settings/users/invite/",
        path="/settings/users/invite/",
        data={
            "email": "newcomer@owner.example",
            "full_name": "New Comer",
            "roles": ["sales_agent"],
        },
        count=_scoped_count(global_admin.partner, Invitation.objects.all),
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/customers", {"companyName": "Contoso"}), ("/v1/me", {"language": "it"})],
)
def test_a_session_cookie_alone_cannot_use_the_api(global_admin, path, body):
    browser = Client()
    browser.force_login(global_admin)
    before = _scoped_count(global_admin.partner, lambda: Customer.objects.all())()
    for method in ("post", "patch"):
        response = getattr(browser, method)(path, body, content_type="application/json")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    assert browser.get("/v1/me").status_code == 401
    assert _scoped_count(global_admin.partner, lambda: Customer.objects.all())() == before
    assert User.objects.get(pk=global_admin.pk).language != "it"
