"""The webhook API and pages: secrets shown once, URLs refused before anything is stored,
redelivery with the same id, re-enabling; and the SSRF guard on its own."""

from __future__ import annotations

import socket

import pytest
from django.utils import timezone

from activity.models import Event
from activity_log.details import event_details_text
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from webhooks.delivery import delivery_send
from webhooks.models import Delivery, Endpoint
from webhooks.network import UrlRefused, address_is_public, target_resolve, webhook_post

pytestmark = pytest.mark.django_db
ENDPOINTS = "/v1/webhooks/endpoints"


@pytest.fixture
def admin_api(api_client_for, role_users):
    return api_client_for(role_users[Role.GLOBAL_ADMIN])


def _create(api, url, types=("order.created",)):
    return api.post(ENDPOINTS, {"url": url, "eventTypes": list(types)}, format="json")


def test_the_secret_is_in_the_creation_answer_and_never_again(admin_api, receiver):
    created = _create(admin_api, receiver.url)
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["status"] == "enabled"
    listed = admin_api.get(ENDPOINTS).json()
    assert listed["totalCount"] == 1 and "secret" not in listed["items"][0]
    one = admin_api.get(f"{ENDPOINTS}/{body['id']}").json()
    assert "secret" not in one and one["eventTypes"] == ["order.created"]
    with partner_scope(Endpoint.objects.all_partners().get().partner):
        assert body["secret"] not in Endpoint.objects.get().secret_encrypted, "encrypted at rest"

    rotated = admin_api.post(f"{ENDPOINTS}/{body['id']}/rotatesecret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in ("", body["secret"])
    assert rotated.json()["previousSecretExpiresDate"] is not None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local (cloud metadata)"),
        ("https://[::1]/hook", "IPv6 loopback"),
        ("https://[fe80::1]/hook", "IPv6 link-local"),
        ("https://[fd00::1]/hook", "IPv6 unique local"),
        ("https://[::ffff:10.0.0.1]/hook", "IPv4-mapped private"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://localhost/hook", "a DNS name resolving to loopback"),
        ("http://93.184.215.14/hook", "plain http"),
        ("ftp://93.184.215.14/hook", "not http"),
        ("https://user:pw@93.184.215.14/hook", "credentials in the URL"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_a_url_the_portal_will_not_send_to_is_a_400_and_nothing_is_stored(admin_api, url, why):
    response = _create(admin_api, url)
    assert response.status_code == 400, why
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "webhook_url_refused"
    assert Endpoint.objects.all_partners().count() == 0


def test_an_unknown_event_type_is_a_400_naming_the_field(admin_api):
    response = _create(admin_api, "https://93.184.215.14/hook", types=["order.shipped"])
    assert response.status_code == 400
    assert "eventTypes" in str(response.json()["errors"])


def test_a_public_address_passes_and_mapped_or_private_ones_do_not():
    assert address_is_public("93.184.215.14")
    assert address_is_public("2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    for address in ("100.64.0.1", "::ffff:127.0.0.1", "::", "ff02::1", "240.0.0.1", "fc00::5"):
        assert not address_is_public(address), address


def test_the_request_goes_to_the_address_checked_not_a_second_lookup(settings, monkeypatch):
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))],
                    [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]])
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: next(answers))
    target = target_resolve("https://rebinding.example/hook")
    assert (target.address, target.host) == ("93.184.215.14", "rebinding.example")
    with pytest.raises(UrlRefused):
        target_resolve("https://rebinding.example/hook")


def test_a_redirect_is_a_failure_and_is_not_followed(receiver):
    receiver.status = 302
    answer = webhook_post(url=receiver.url, body=b"{}", headers={})
    assert (answer.status_code, answer.succeeded) == (302, False)
    assert len(receiver.received) == 1


def test_the_delivery_log_shows_attempts_and_redeliver_sends_the_same_id(
    admin_api, receiver, owner_partner
):
    endpoint_id = _create(admin_api, receiver.url).json()["id"]
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    (delivery,) = Delivery.objects.all_partners()
    with partner_scope(owner_partner):
        delivery_send(delivery_id=delivery.pk)

    log = admin_api.get(f"{ENDPOINTS}/{endpoint_id}/deliveries").json()
    (item,) = log["items"]
    assert (item["status"], item["attempts"], item["eventType"]) == (
        "delivered", 1, "order.created"
    )
    (attempt,) = item["attemptLog"]
    assert attempt["responseCode"] == 200 and attempt["durationMs"] >= 0

    answer = admin_api.post(f"{ENDPOINTS}/{endpoint_id}/deliveries/{item['id']}/redeliver")
    assert answer.status_code == 202 and answer.json()["status"] == "pending"
    with partner_scope(owner_partner):
        delivery_send(delivery_id=delivery.pk)
    assert receiver.ids() == [delivery.webhook_id, delivery.webhook_id]
    item = admin_api.get(f"{ENDPOINTS}/{endpoint_id}/deliveries").json()["items"][0]
    assert [a["attemptNumber"] for a in item["attemptLog"]] == [2, 1]


def test_a_disabled_endpoint_refuses_redelivery_until_re_enabled(
    admin_api, receiver, owner_partner
):
    endpoint_id = _create(admin_api, receiver.url).json()["id"]
    order_for(CustomerFactory(partner=owner_partner, country="IT"))
    (delivery,) = Delivery.objects.all_partners()
    Endpoint.objects.all_partners().update(disabled_at=timezone.now())
    assert admin_api.get(f"{ENDPOINTS}/{endpoint_id}").json()["status"] == "disabled"
    redeliver = f"{ENDPOINTS}/{endpoint_id}/deliveries/{delivery.pk}/redeliver"
    refused = admin_api.post(redeliver)
    assert refused.status_code == 409 and refused.json()["code"] == "endpoint_disabled"

    enabled = admin_api.post(f"{ENDPOINTS}/{endpoint_id}/enable")
    assert enabled.status_code == 200 and enabled.json()["status"] == "enabled"
    assert admin_api.post(redeliver).status_code == 202


def test_deleting_an_endpoint_is_recorded_and_it_is_gone(admin_api, receiver, owner_partner):
    endpoint_id = _create(admin_api, receiver.url).json()["id"]
    assert admin_api.delete(f"{ENDPOINTS}/{endpoint_id}").status_code == 204
    assert admin_api.get(f"{ENDPOINTS}/{endpoint_id}").status_code == 404
    with partner_scope(owner_partner):
        operations = list(Event.objects.order_by("pk").values_list("operation_type", flat=True))
    assert operations[-2:] == ["create_webhook_endpoint", "delete_webhook_endpoint"]


def test_the_page_shows_the_secret_once_and_the_endpoint_listed(
    client_for, role_users, receiver
):
    client = client_for(role_users[Role.GLOBAL_ADMIN])
    page = client.post("/settings/webhooks/", {
        "url": receiver.url, "event_types": ["order.created", "invoice.issued"],
    }, follow=True)
    assert page.redirect_chain == [("/settings/webhooks/", 302)]
    secret = page.context["new_secret"]
    assert secret.startswith("whsec_") and secret in page.content.decode()
    reloaded = client.get("/settings/webhooks/").content.decode()
    assert receiver.url in reloaded and secret not in reloaded
    assert Endpoint.objects.all_partners().count() == 1


def test_a_rotated_secret_shows_once_on_the_endpoint_page(client_for, role_users, admin_api,
                                                          receiver):
    endpoint_id = _create(admin_api, receiver.url).json()["id"]
    client = client_for(role_users[Role.GLOBAL_ADMIN])
    page = client.post(f"/settings/webhooks/{endpoint_id}/rotate/", follow=True)
    assert page.redirect_chain == [(f"/settings/webhooks/{endpoint_id}/", 302)]
    secret = page.context["new_secret"]
    assert secret.startswith("whsec_") and secret in page.content.decode()
    assert secret not in client.get(f"/settings/webhooks/{endpoint_id}/").content.decode()


def test_the_page_explains_a_refused_url(client_for, role_users):
    client = client_for(role_users[Role.GLOBAL_ADMIN])
    page = client.post("/settings/webhooks/", {
        "url": "https://127.0.0.1/x", "event_types": ["order.created"],
    })
    assert page.status_code == 200
    assert "private, loopback, link-local" in page.content.decode()
    assert Endpoint.objects.all_partners().count() == 0


def test_the_activity_log_words_an_endpoint_registered(admin_api, receiver, owner_partner):
    _create(admin_api, receiver.url, types=["order.created", "invoice.issued"])
    with partner_scope(owner_partner):
        event = Event.objects.get(operation_type="create_webhook_endpoint")
    assert event_details_text(event) == f"{receiver.url}, 2 events"
