"""Two web nodes and two workers that share no disk: what one node or worker writes, the others
serve, and a worker killed mid-task loses nothing and does nothing twice.

The nodes share the suite's PostgreSQL, a private Redis (broker, cache, beat) and a private S3
bucket; each has its own PORTAL_VAR_DIR. Downloads, attachments and PDFs leave through presigned
URLs of the bucket (DOWNLOAD_DELIVERY=storage-url).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.utils import timezone

from activity.models import Event, OperationType
from catalog.services import software_variant_store
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from invoices.models import Invoice
from invoices.periods import Month
from invoices.services import invoice_issue
from orders.models import Credit, Purchase, PurchaseStatus
from orders.tests.factories import order_for
from partners.services import api_token_issue
from partners.tests.factories import PartnerFactory, UserFactory, totp_enrol
from tests.broker import broker_at
from tests.faults import servers
from tests.faults.visitor import TIMEOUT, Browser, sign_in
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.fleet,
    pytest.mark.worker,
    pytest.mark.postgres_only("the nodes share the suite's PostgreSQL database"),
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "correct horse battery staple"
FILE_CONTENT = bytes(range(256)) * 400  # 100 KiB
VARIANT = {"version": "2022", "language": "en-US", "file_type": "ISO (x64)"}
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Generous for a loaded CI machine: worker start-ups, a redelivery, WeasyPrint.
WORK_TIMEOUT = 120


@pytest.fixture
def partner_team(fleet, settings):
    """A partner with an Admin agent (TOTP) and a Billing admin, a customer and a purchase."""
    fleet.s3.settings_apply(settings, fleet.bucket)
    partner = PartnerFactory(name=f"Fleet {uuid.uuid4().hex[:6]}")
    agent = UserFactory(
        partner=partner,
        email=f"agent-{partner.pk}@fleet.example",
        roles=[Role.GLOBAL_ADMIN.value, Role.ADMIN_AGENT.value, Role.BILLING_ADMIN.value],
    )
    agent.totp_secret = totp_enrol(agent)
    customer = CustomerFactory(partner=partner, country="IT")
    order = order_for(customer, actor=agent, issues_keys=True, title="Windows Server 2022")
    purchase = Purchase.objects.all_partners().get(order=order)
    with partner_scope(partner):
        _token, token = api_token_issue(actor=agent, name="fleet")
    return partner, agent, customer, purchase, token


def _api(base_url: str, token: str, **headers) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", **headers})
    session.base_url = base_url
    return session


def test_a_session_started_on_one_node_is_valid_on_the_other(fleet):
    partner = PartnerFactory(name="Fleet sessions")
    user = UserFactory(
        partner=partner, email="globaladmin@fleet-sessions.example",
        roles=[Role.GLOBAL_ADMIN.value],
    )
    web_a, web_b = fleet.webs
    on_a = Browser(web_a.base_url)
    sign_in(on_a, user.email, PASSWORD)
    on_b = Browser(web_b.base_url)
    on_b.cookies.update(on_a.cookies)
    page = on_b.open("/customers/")
    assert page.status_code == 200 and "/accounts/login/" not in page.url
    signed_out = Browser(web_b.base_url).open("/customers/")
    assert "/accounts/login/" in signed_out.url


def test_an_attachment_uploaded_through_one_node_downloads_through_the_other(
    fleet, partner_team
):
    _partner, _agent, customer, purchase, token = partner_team
    web_a, web_b = fleet.webs
    filed = requests.post(
        f"{web_a.base_url}/v1/servicerequests",
        headers={"Authorization": f"Bearer {token}"},
        data={
            "supportTopic": "csp_purchase_refund", "impact": "high", "title": "Refund",
            "customerTenantIdOrDomain": str(customer.entra_tenant_id),
            "orderId": str(purchase.order_id), "refundReason": "Wrong customer.",
            "amountRequested": "10", "contact.name": "Maria Rossi",
            "contact.email": "maria@fleet.example", "contact.phone": "+39 02 1234 5678",
        },
        files={"files": ("invoice.pdf", PDF_BYTES, "application/pdf")},
        timeout=TIMEOUT,
    )
    assert filed.status_code == 201, filed.text
    (attachment,) = filed.json()["files"]
    assert not any((fleet.root / "web-a").rglob("invoice*")), "nothing on node A's disk"
    download = requests.get(
        web_b.base_url + attachment["uri"],
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert download.status_code == 200 and download.content == PDF_BYTES
    assert download.history and download.history[0].status_code == 302


def test_an_invoice_pdf_printed_by_a_worker_is_served_by_both_nodes(fleet, partner_team):
    partner, agent, customer, _purchase, _token = partner_team
    month = Month.before(timezone.now())
    order_for(customer, unit_price=Decimal("250"), at=month.start_at + timedelta(days=2))
    with broker_at(fleet.redis.url), partner_scope(partner):
        invoice = invoice_issue(partner=partner, currency_code="EUR", month=month)
    printed = wait_until(
        lambda: Invoice.objects.all_partners().filter(pk=invoice.pk, pdf_size__gt=0).first(),
        timeout=WORK_TIMEOUT,
        interval=0.5,
    )
    bodies = []
    signed_in = Browser(fleet.webs[0].base_url)
    # Once: a TOTP code is good for one sign-in, on whichever node (the cache is shared).
    sign_in(signed_in, agent.email, PASSWORD, agent.totp_secret)
    for web in fleet.webs:
        browser = Browser(web.base_url)
        browser.cookies.update(signed_in.cookies)
        response = browser.open(f"/invoices/{printed.number}/pdf/")
        assert response.status_code == 200 and response.history[0].status_code == 302
        bodies.append(response.content)
    assert bodies[0] == bodies[1]
    assert hashlib.sha256(bodies[0]).hexdigest() == printed.pdf_sha256


def test_a_link_issued_on_one_node_downloads_on_the_other_and_fifty_hold_across_both(
    fleet, partner_team
):
    _partner, _agent, customer, purchase, token = partner_team
    software_variant_store(
        product=purchase.product, filename="ws2022.iso", content=FILE_CONTENT, **VARIANT
    )
    web_a, web_b = fleet.webs
    issued = requests.post(
        f"{web_a.base_url}/v1/customers/{customer.entra_tenant_id}/entitlements/"
        f"{purchase.pk}/keysanddownloads",
        headers={"Authorization": f"Bearer {token}"},
        json={"version": "2022", "language": "en-US", "fileType": "ISO (x64)"},
        timeout=TIMEOUT,
    )
    assert issued.status_code == 200, issued.text
    link = issued.json()["downloadLink"]
    assert link["downloadsRemaining"] == 50
    path = "/downloads/" + link["uri"].rsplit("/downloads/", 1)[1]

    def download(index: int) -> tuple[int, str]:
        node = fleet.webs[index % 2]
        response = requests.get(node.base_url + path, allow_redirects=False, timeout=TIMEOUT)
        return response.status_code, response.headers.get("Location", "")

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(download, range(64)))
    statuses = sorted(status for status, _location in answers)
    assert statuses == [302] * 50 + [410] * 14
    served_by = {index % 2 for index, (status, _) in enumerate(answers) if status == 302}
    assert served_by == {0, 1}, "both nodes counted downloads"
    fetched = requests.get(next(loc for s, loc in answers if s == 302), timeout=TIMEOUT)
    assert hashlib.sha256(fetched.content).digest() == hashlib.sha256(FILE_CONTENT).digest()
    with partner_scope(purchase.partner):
        events = Event.objects.filter(operation_type=OperationType.SOFTWARE_DOWNLOAD).count()
    assert events == 50


def _json_lines(process) -> list[dict]:
    lines = []
    for raw in process.log.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def _received_the_completion(process) -> bool:
    return any(
        "orders.purchase_cancellation_complete[" in line["message"]
        and line["message"].endswith("received")
        for line in _json_lines(process)
    )


def test_a_cancellation_requested_on_one_node_completes_once_while_its_worker_is_killed(
    fleet, partner_team
):
    partner, _agent, customer, purchase, token = partner_team
    web_a, _web_b = fleet.webs
    correlation_id = f"fleet-{uuid.uuid4().hex}"
    # The purchase's row is held: the completion task waits inside its transaction, mid-task.
    holder = servers.suite_database_probe()
    holder.autocommit = False
    try:
        accepted = requests.patch(
            f"{web_a.base_url}/v1/customers/{customer.entra_tenant_id}/orders/{purchase.order_id}",
            headers={"Authorization": f"Bearer {token}", "MS-CorrelationId": correlation_id},
            json={"status": "cancelled"},
            timeout=TIMEOUT,
        )
        assert accepted.status_code == 202, accepted.text
        holder.execute("SELECT id FROM orders_orderline WHERE id = %s FOR UPDATE", [purchase.pk])
        wait_until(
            lambda: servers.blocked_on("orders_orderline"), timeout=WORK_TIMEOUT, interval=0.2
        )
        (busy,) = [w for w in fleet.workers if w.alive() and _received_the_completion(w)]
        busy.kill()
    finally:
        holder.rollback()
        holder.close()
    connection.close()
    assert Purchase.objects.all_partners().get(pk=purchase.pk).status == (
        PurchaseStatus.PENDING_CANCELLATION
    )
    wait_until(
        lambda: Purchase.objects.all_partners().get(pk=purchase.pk).status
        == PurchaseStatus.CANCELLED,
        timeout=WORK_TIMEOUT,
        interval=0.5,
    )
    assert Credit.objects.all_partners().filter(purchase_id=purchase.pk).count() == 1
    with partner_scope(partner):
        completions = Event.objects.filter(operation_type=OperationType.COMPLETE_CANCELLATION)
        assert completions.count() == 1
        assert completions.get().correlation_id == correlation_id
    (survivor,) = [w for w in fleet.workers if w.alive()]
    traced = [
        line for line in _json_lines(survivor)
        if line.get("task_name") == "orders.purchase_cancellation_complete"
    ]
    assert traced and all(line.get("correlation_id") == correlation_id for line in traced)
    fleet.worker_start("worker-3")
