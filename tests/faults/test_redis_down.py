"""Redis, the cache and the broker, killed under a running web process (gunicorn), then back.

What each action does while Redis is down:
- Pages and the API keep working: sessions are in the database, and the cache (throttling
  counters, used TOTP codes, chart counts) reads as empty, so rate limits fail open.
- A cancellation is accepted: its due time is in the row, so it completes once Redis is back,
  when the beat's reconciler finds it; the countdown task that could not be sent is not needed.
- An invitation is refused with a clear message and nothing is created: its e-mail, the
  invitee's only way in, can only be sent by the worker.
"""

from __future__ import annotations

import re

import pytest
import requests
from django.db import connection

from catalog.services import software_variant_store
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.models import Credit, Purchase, PurchaseStatus
from orders.tests.factories import order_for
from partners.models import Invitation
from partners.services import api_token_issue
from partners.tests.factories import PartnerFactory, UserFactory, totp_enrol
from tests.faults import servers
from tests.faults.visitor import TIMEOUT, Browser, sign_in
from tests.waiting import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
VARIANT = {"version": "2022", "language": "en-US", "file_type": "ISO (x64)"}
FILE_CONTENT = b"windows server" * 100


def _purchase(pk: int) -> Purchase:
    return Purchase.objects.all_partners().get(pk=pk)


def test_pages_work_and_due_work_waits_while_redis_is_down(processes, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    partner = PartnerFactory(name="Redis Outage")
    user = UserFactory(
        partner=partner,
        email="agent@redis-outage.example",
        roles=[Role.GLOBAL_ADMIN.value, Role.ADMIN_AGENT.value],
    )
    secret = totp_enrol(user)
    customer = CustomerFactory(partner=partner, country="IT")
    order = order_for(customer, actor=user, issues_keys=True, title="Windows Server 2022")
    purchase = Purchase.objects.all_partners().get(order=order)
    software_variant_store(
        product=purchase.product, filename="ws2022.iso", content=FILE_CONTENT, **VARIANT
    )
    with partner_scope(partner):
        _token, token = api_token_issue(actor=user, name="fault test")
    connection.close()
    customer_path = f"/customers/{customer.entra_tenant_id}"

    with servers.private_redis() as redis_server:
        env = servers.portal_env(
            database_url=servers.suite_database_url(),
            redis_url=redis_server.url,
            var_dir=tmp_path / "var",
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            CANCELLATION_PROPAGATION_DELAY_SECONDS="1",
        )
        web = processes.web(env)
        redis_server.kill()

        browser = Browser(web.base_url)
        sign_in(browser, user.email, PASSWORD, secret)
        for path in (
            "/customers/",
            "/catalogue/",
            f"{customer_path}/software/",
            "/settings/activity-log/",
            "/invoices/",
        ):
            assert browser.open(path).status_code == 200, path
        api = requests.get(
            f"{web.base_url}/v1/customers",
            timeout=TIMEOUT,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert api.status_code == 200 and api.json()["totalCount"] == 1

        # Rate-limited both: the key reveal per user, the download per address.
        keys = browser.open(
            f"{customer_path}/software/{purchase.pk}/keys-and-downloads/", **VARIANT
        )
        assert keys.status_code == 200
        link = re.search(r'id="download-link" type="text" readonly value="([^"]+)"', keys.text)
        download = browser.get(link.group(1), timeout=TIMEOUT)
        assert download.status_code == 200 and download.content == FILE_CONTENT

        cancelled = browser.open(
            f"{customer_path}/software/{purchase.pk}/cancel/",
            purchase=purchase.pk,
            acknowledged="on",
        )
        assert cancelled.status_code == 200 and "Cancellation submitted" in cancelled.text
        assert _purchase(purchase.pk).status == PurchaseStatus.PENDING_CANCELLATION

        invited = browser.open(
            "/settings/users/invite/",
            email="new@redis-outage.example",
            full_name="New Colleague",
            roles=Role.SALES_AGENT.value,
        )
        assert invited.status_code == 200
        assert "background service is not answering" in invited.text
        assert not Invitation.objects.all_partners().filter(
            email="new@redis-outage.example"
        ).exists()

        health = requests.get(f"{web.base_url}/healthz", timeout=TIMEOUT)
        assert health.status_code == 503 and health.json()["checks"]["broker"]["ok"] is False
        connection.close()

        redis_server.start()
        worker_env = {**env, "DJANGO_SETTINGS_MODULE": "tests.faults.settings"}
        processes.worker(worker_env)
        processes.beat(worker_env)
        wait_until(
            lambda: _purchase(purchase.pk).status == PurchaseStatus.CANCELLED,
            timeout=TIMEOUT,
            interval=0.5,
        )
        assert Credit.objects.all_partners().filter(purchase_id=purchase.pk).count() == 1

        invited = browser.open(
            "/settings/users/invite/",
            email="new@redis-outage.example",
            full_name="New Colleague",
            roles=Role.SALES_AGENT.value,
        )
        assert invited.url.endswith("/settings/users/")
        assert Invitation.objects.all_partners().filter(
            email="new@redis-outage.example"
        ).count() == 1
