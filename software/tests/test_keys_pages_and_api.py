"""Get keys and downloads: Admin agents only, recorded, in the page and the API."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from activity.models import Event, OperationType
from catalog.services import software_variant_store
from core.roles import Role
from core.tenancy import partner_scope
from orders.models import Purchase, PurchaseStatus
from orders.tests.factories import order_for
from partners.tests.factories import UserFactory
from software.models import ActivationKey, DownloadLink
from software.services import keys_and_downloads_issue
from software.sweeps import download_links_mark_expired
from software.tasks import download_links_expire_task
from software.tests.links import keys_and_link_issue
from tests.waiting import wait_until


def _keys_url(customer, purchase):
    return f"/customers/{customer.entra_tenant_id}/software/{purchase.pk}/keys-and-downloads/"


def _variant_form(variant):
    return {
        "version": variant.version,
        "language": variant.language,
        "file_type": variant.file_type,
    }


def test_an_admin_agent_chooses_a_variant_and_gets_keys_and_a_link(
    customer, purchase, variant, role_users, client_for
):
    agent = role_users[Role.ADMIN_AGENT]
    client = client_for(agent)
    software = client.get(
        f"/customers/{customer.entra_tenant_id}/software/",
        {"purchase": purchase.pk, **_variant_form(variant)},
    ).content.decode()
    assert "Get keys and downloads" in software
    page = client.post(_keys_url(customer, purchase), _variant_form(variant))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    with partner_scope(customer.partner):
        key = ActivationKey.objects.get(purchase=purchase).value
        events = {e.operation_type: e for e in Event.objects.filter(customer=customer)}
    assert key in html
    link = re.search(r'id="download-link" type="text" readonly value="([^"]+)"', html).group(1)
    assert link.startswith("http://testserver/downloads/")
    assert "50 more downloads" in html
    for operation in (OperationType.GET_SOFTWARE_KEY, OperationType.GET_SOFTWARE_DOWNLOAD_LINK):
        assert events[operation].actor == agent
        assert events[operation].details["productTitle"] == "Windows Server 2022 Standard"
    download = client.get(link.removeprefix("http://testserver"))
    assert download.status_code == 200
    with partner_scope(customer.partner):
        event = Event.objects.get(operation_type=OperationType.SOFTWARE_DOWNLOAD)
    assert event.actor == agent, "a signed-in partner user is named, not a link holder"


@pytest.mark.parametrize("role", [Role.GLOBAL_ADMIN, Role.SALES_AGENT])
def test_other_roles_see_a_read_only_page_and_are_refused(
    customer, purchase, variant, role_users, client_for, role
):
    client = client_for(role_users[role])
    software = client.get(
        f"/customers/{customer.entra_tenant_id}/software/",
        {"purchase": purchase.pk, **_variant_form(variant)},
    ).content.decode()
    assert "Get keys and downloads" not in software
    assert "Only an Admin agent can get activation keys" in software
    assert client.post(_keys_url(customer, purchase), _variant_form(variant)).status_code == 403
    with partner_scope(customer.partner):
        assert not DownloadLink.objects.exists()
        assert not Event.objects.filter(operation_type=OperationType.GET_SOFTWARE_KEY).exists()


def test_an_admin_agent_without_totp_is_sent_to_enrol_first(
    customer, purchase, variant, client_for
):
    agent = UserFactory(partner=customer.partner, roles=[Role.ADMIN_AGENT.value])
    response = client_for(agent).post(_keys_url(customer, purchase), _variant_form(variant))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_a_cancelled_purchase_shows_no_keys(customer, purchase, variant, role_users, client_for):
    Purchase.objects.all_partners().filter(pk=purchase.pk).update(status=PurchaseStatus.CANCELLED)
    client = client_for(role_users[Role.ADMIN_AGENT])
    software = client.get(f"/customers/{customer.entra_tenant_id}/software/").content.decode()
    assert "Cancelled" in software and "Select product" not in software
    refused = client.post(_keys_url(customer, purchase), _variant_form(variant))
    assert refused.status_code == 409
    assert b"revoked" in refused.content


def test_an_unknown_variant_is_refused_with_a_message(
    customer, purchase, variant, role_users, client_for
):
    response = client_for(role_users[Role.ADMIN_AGENT]).post(
        _keys_url(customer, purchase), {**_variant_form(variant), "language": "xx-XX"}
    )
    assert response.status_code == 400
    assert b"has no download for this version" in response.content


def test_key_reveals_are_rate_limited_per_user(
    customer, purchase, variant, role_users, client_for, settings
):
    settings.KEY_REVEAL_RATE = "2/h"
    client = client_for(role_users[Role.ADMIN_AGENT])
    statuses = [
        client.post(_keys_url(customer, purchase), _variant_form(variant)).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_the_api_lists_entitlements_and_issues_keys_and_links(
    customer, purchase, variant, role_users, api_client_for
):
    client = api_client_for(role_users[Role.ADMIN_AGENT])
    listed = client.get(
        f"/v1/customers/{customer.entra_tenant_id}/entitlements", {"entitlementType": "software"}
    ).json()
    [item] = listed["items"]
    assert item["id"] == str(purchase.pk) and item["keyAvailable"] is True
    assert item["referenceOrder"]["id"] == str(purchase.order_id)
    assert item["variants"] == [{"version": "2022", "language": "en-US", "fileType": "ISO (x64)"}]
    issued = client.post(
        f"/v1/customers/{customer.entra_tenant_id}/entitlements/{purchase.pk}/keysanddownloads",
        {"version": "2022", "language": "en-US", "fileType": "ISO (x64)"},
        format="json",
    )
    assert issued.status_code == 200
    body = issued.json()
    assert len(body["keys"]) == 1 and body["downloadLink"]["downloadsRemaining"] == 50
    uri = body["downloadLink"]["uri"].removeprefix("http://testserver")
    assert Client().get(uri).status_code == 200


@pytest.mark.parametrize("role", [Role.GLOBAL_ADMIN, Role.SALES_AGENT])
def test_the_api_refuses_keys_to_other_roles(
    customer, purchase, variant, role_users, api_client_for, role
):
    response = api_client_for(role_users[role]).post(
        f"/v1/customers/{customer.entra_tenant_id}/entitlements/{purchase.pk}/keysanddownloads",
        {"version": "2022", "language": "en-US", "fileType": "ISO (x64)"},
        format="json",
    )
    assert response.status_code == 403 and response.json()["code"] == "role_required"
    assert "Admin agent" in response.json()["detail"]


def test_another_partners_purchase_is_404_in_page_and_api(
    customer, purchase, variant, outsider, client_for, api_client_for
):
    assert (
        client_for(outsider).post(_keys_url(customer, purchase), _variant_form(variant)).status_code
        == 404
    )
    response = api_client_for(outsider).post(
        f"/v1/customers/{customer.entra_tenant_id}/entitlements/{purchase.pk}/keysanddownloads",
        {"version": "2022", "language": "en-US", "fileType": "ISO (x64)"},
        format="json",
    )
    assert response.status_code == 404


def test_the_sweep_marks_expired_links_in_batches(
    customer, purchase, variant, role_users, client_for
):
    client = client_for(role_users[Role.ADMIN_AGENT])
    client.post(_keys_url(customer, purchase), _variant_form(variant))
    later = timezone.now() + timedelta(days=15)
    assert download_links_mark_expired(at=later, batch_size=1) == 1
    assert download_links_mark_expired(at=later, batch_size=1) == 0
    assert DownloadLink.objects.all_partners().get().expired_marked_at == later


def test_the_sweep_runs_on_a_real_worker(celery_worker, customer, purchase, variant):

    past = timezone.now() - timedelta(days=20)
    with partner_scope(customer.partner):
        keys_and_downloads_issue(
            partner=customer.partner,
            actor=None,
            purchase_id=purchase.pk,
            base_url="http://testserver",
            at=past,
            **_variant_form(variant),
        )
    download_links_expire_task.delay()
    wait_until(
        lambda: DownloadLink.objects.all_partners().filter(expired_marked_at__isnull=False).exists()
    )


def test_the_first_request_generates_the_key_and_later_ones_show_the_same(purchase, variant):
    assert not ActivationKey.objects.all_partners().exists(), "placing an order writes no key"
    [first] = keys_and_link_issue(purchase, variant).keys
    assert len(first) == 29 and first.count("-") == 4
    assert keys_and_link_issue(purchase, variant).keys == [first]
    assert ActivationKey.objects.all_partners().count() == 1


def test_a_product_without_keys_shows_none(purchase, variant):
    type(purchase).objects.all_partners().filter(pk=purchase.pk).update(issues_keys=False)
    result = keys_and_link_issue(purchase, variant)
    assert result.keys == [] and result.download.uri
    assert not ActivationKey.objects.all_partners().exists()


def test_only_the_chosen_purchase_shows_the_chosen_variant(
    customer, purchase, variant, other_variant, global_admin, role_users, client_for
):
    with partner_scope(customer.partner):
        sku = Purchase.objects.select_related("sku").get(pk=purchase.pk).sku
    again = order_for(customer, actor=global_admin, sku=sku)
    with partner_scope(customer.partner):
        second = Purchase.objects.get(order=again)
    assert second.product_id == purchase.product_id
    html = client_for(role_users[Role.ADMIN_AGENT]).get(
        f"/customers/{customer.entra_tenant_id}/software/",
        {"purchase": second.pk, **_variant_form(other_variant)},
    ).content.decode()
    chosen = html.split(f'id="select-{second.pk}"')[1].split("</details>")[0]
    other = html.split(f'id="select-{purchase.pk}"')[1].split("</details>")[0]
    assert html.count(f'id="select-{second.pk}"') == 1
    assert f'<details open id="select-{second.pk}"' in html
    assert "<option selected>it-IT</option>" in chosen
    assert "<option>en-US</option>" in chosen
    assert " selected" not in other and "<option>it-IT</option>" in other
    assert f'<details id="select-{purchase.pk}"' in html


def test_a_variant_added_to_the_catalogue_is_offered_on_the_next_software_page(
    customer, purchase, variant, role_users, client_for
):
    client = client_for(role_users[Role.ADMIN_AGENT])
    page = f"/customers/{customer.entra_tenant_id}/software/"
    assert "it-IT" not in client.get(page).content.decode()
    software_variant_store(
        product=purchase.product, version="2022", language="it-IT", file_type="ISO (x64)",
        filename="ws2022-it.iso", content=b"italiano" * 100,
    )
    assert "it-IT" in client.get(page).content.decode()
