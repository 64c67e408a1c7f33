"""Generated matrices over every route: declared access, roles (SPEC §1) and partner isolation."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from catalog.tests.factories import shared_sku
from core.roles import PARTNER_ROLE_PERMISSIONS, SUPPORT_STAFF_ACTIONS, Role
from core.tenancy import partner_scope
from partners.services import api_token_issue
from tests.routes import all_routes

ROUTES = all_routes()
LOGIN_PATH = "/accounts/login/"


class OwnObjects:
    """Objects of one user's partner for a route's keywords, made on demand and shared, so that
    a customer and its order in one path belong together."""

    def __init__(self, user):
        self.user = user
        self._made: dict[str, object] = {}

    def _once(self, name, make):
        if name not in self._made:
            self._made[name] = make()
        return self._made[name]

    def token(self):
        def make():
            with partner_scope(self.user.partner):
                return api_token_issue(actor=self.user, name="matrix")[0]

        return self._once("token", make)

    def invitation(self):
        from partners.invitations import invitation_create

        def make():
            with partner_scope(self.user.partner):
                return invitation_create(
                    partner=self.user.partner, actor=self.user,
                    email=f"invitee-{uuid.uuid4().hex}@matrix.example",
                    full_name="Invitee", roles=["sales_agent"], base_url="http://testserver/",
                )

        return self._once("invitation", make)

    def customer(self):
        from customers.tests.factories import CustomerFactory

        return self._once("customer", lambda: CustomerFactory(partner=self.user.partner))

    def order(self):
        from orders.tests.factories import order_for

        return self._once("order", lambda: order_for(self.customer()))

    def purchase(self):
        with partner_scope(self.user.partner):
            return self._once("purchase", lambda: self.order().lines.get())

    def cart(self):
        from datetime import timedelta

        from django.utils import timezone

        from orders.models import Cart

        def make():
            with partner_scope(self.user.partner):
                return Cart.objects.create(
                    partner=self.user.partner, customer=self.customer(),
                    expires_at=timezone.now() + timedelta(hours=1),
                )

        return self._once("cart", make)

    def invoice(self):
        from invoices.tests.factories import invoice_for

        return self._once("invoice", lambda: invoice_for(self.customer()))

    def service_request(self):
        from support.tests.factories import ServiceRequestFactory

        return self._once(
            "service_request",
            lambda: ServiceRequestFactory(
                partner=self.user.partner, filed_by=self.user, customer=self.customer()
            ),
        )

    def attachment(self):
        from support.tests.factories import AttachmentFactory

        return self._once(
            "attachment", lambda: AttachmentFactory(service_request=self.service_request())
        )

    def webhook_endpoint(self):
        from webhooks.tests.factories import EndpointFactory

        return self._once("webhook_endpoint", lambda: EndpointFactory(partner=self.user.partner))

    def webhook_delivery(self):
        from webhooks.tests.factories import DeliveryFactory

        return self._once(
            "webhook_delivery", lambda: DeliveryFactory(endpoint=self.webhook_endpoint())
        )


# How to find, for a route's keyword, an object that belongs to the given user's partner.
# A route with a keyword missing here fails the matrices: add the keyword when adding the route.
OBJECT_OF = {
    "user_id": lambda own: own.user.pk,
    "invitation_id": lambda own: own.invitation().pk,
    "token_id": lambda own: own.token().pk,
    "customer_id": lambda own: own.customer().entra_tenant_id,
    "order_id": lambda own: own.order().id,
    "purchase_id": lambda own: own.purchase().pk,
    "request_id": lambda own: own.service_request().pk,
    "attachment_id": lambda own: own.attachment().pk,
    "entitlement_id": lambda own: own.purchase().pk,
    "invoice_id": lambda own: own.invoice().number,
    "endpoint_id": lambda own: own.webhook_endpoint().pk,
    "delivery_id": lambda own: own.webhook_delivery().pk,
    "cart_id": lambda own: own.cart().id,
}
# Ids of objects every partner shares (the catalogue): reachable by all, so no isolation test.
SHARED_OBJECT_OF: dict[str, object] = {
    "product_id": lambda: shared_sku().product.product_id,
    "sku_id": lambda: shared_sku().sku_id,
    "availability_id": lambda: "MATRIX0AVAIL",
}
OPAQUE_KWARGS = {
    "uidb64": "MQ",
    "token": "not-a-real-token",
    "culture": "en-US",
    "provider": "OneTime",
    "line_item_type": "BillingLineItems",
}


def _path_for(route, owner) -> str:
    own = OwnObjects(owner)
    values = {}
    for kwarg in route.kwargs:
        if kwarg in OPAQUE_KWARGS:
            values[kwarg] = OPAQUE_KWARGS[kwarg]
        elif kwarg in SHARED_OBJECT_OF:
            values[kwarg] = SHARED_OBJECT_OF[kwarg]()
        else:
            assert kwarg in OBJECT_OF, f"{route.name}: no object factory for '{kwarg}'"
            values[kwarg] = OBJECT_OF[kwarg](own)
    return route.path_with(values)


def _request(client, route, path, method: str = "GET"):
    if method != "GET":
        return client.generic(method, path, data="{}", content_type="application/json")
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    return response


def test_every_route_declares_who_may_reach_it():
    undeclared = [route.name or route.pattern for route in ROUTES if route.access is None]
    assert undeclared == []


def test_every_object_route_has_an_object_factory():
    missing = {
        (route.name, kwarg)
        for route in ROUTES
        for kwarg in route.kwargs
        if kwarg not in OBJECT_OF and kwarg not in OPAQUE_KWARGS and kwarg not in SHARED_OBJECT_OF
    }
    assert missing == set()


def _who(role_users, support_user):
    yield from ((role.label, user) for role, user in role_users.items())
    yield "Support staff", support_user


def _allowed(access, user) -> bool:
    if access.public or access.action is None:
        return True
    if user.is_support_staff:
        return access.action in SUPPORT_STAFF_ACTIONS
    return not PARTNER_ROLE_PERMISSIONS[access.action].isdisjoint(user.role_set)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name or r.pattern)
def test_role_matrix_refuses_with_403_exactly_where_spec_says_no(
    route, role_users, support_user, client_for, api_client_for
):
    checks = route.method_access or (("GET", route.access),)
    for who, user in _who(role_users, support_user):
        client = api_client_for(user) if route.is_api else client_for(user)
        # Support staff belong to no partner: they are pointed at the owner partner's objects.
        path = _path_for(route, user if user.partner_id else role_users[Role.GLOBAL_ADMIN])
        for method, access in checks:
            response = _request(client, route, path, method)
            where = f"{method} {route.pattern}"
            if _allowed(access, user):
                assert response.status_code != 403, f"{who} refused on {where}"
                assert not response.get("Location", "").startswith(LOGIN_PATH), who
            else:
                assert response.status_code == 403, f"{who} reached {where}"
                if route.is_api:
                    assert response["Content-Type"] == "application/problem+json"
                    assert response.json()["code"] == "role_required"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if not r.access.public], ids=lambda r: r.name or r.pattern
)
def test_anonymous_visitors_are_sent_to_sign_in_or_get_401(route, global_admin):
    response = _request(Client(), route, _path_for(route, global_admin))
    if route.is_api:
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PATH)


PARTNER_OBJECT_ROUTES = [r for r in ROUTES if any(k in OBJECT_OF for k in r.kwargs)]


@pytest.mark.parametrize("route", PARTNER_OBJECT_ROUTES, ids=lambda r: r.name or r.pattern)
def test_another_partners_objects_answer_404(
    route, global_admin, outsider, client_for, api_client_for
):
    # The outsider holds every role, so only partner isolation can stop them.
    foreign_path = _path_for(route, global_admin)
    client = api_client_for(outsider) if route.is_api else client_for(outsider)
    response = _request(client, route, foreign_path)
    assert response.status_code == 404, f"{route.pattern} gave {response.status_code}"
    if route.is_api:
        assert response.json()["code"] == "not_found"


def test_the_matrix_covers_every_role_of_spec_section_1(role_users):
    assert set(role_users) == set(Role)
