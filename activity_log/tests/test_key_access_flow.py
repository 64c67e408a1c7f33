"""The source document's question, end to end without a browser: who accessed keys and who
downloaded software. An Admin agent gets keys and a link, a link holder downloads, and the
Account admin finds all three with the preset, on the page and in the CSV."""

import csv
import io
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from catalog.services import software_variant_store
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from orders.tests.factories import order_for
from software.services import keys_and_downloads_issue

PRESET = {"operation": "key_access_and_downloads"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def downloaded(role_users, global_admin):
    """A purchase whose keys the Admin agent fetched and whose link a customer then used."""
    customer = CustomerFactory(partner=global_admin.partner, company_name="Contoso Italia")
    order = order_for(customer, actor=global_admin, issues_keys=True,
                      title="Windows Server 2022 Standard")
    purchase = order.lines.model.objects.all_partners().get(order=order)
    variant = software_variant_store(
        product=purchase.product, version="2022", language="en-US", file_type="ISO (x64)",
        filename="ws2022-en.iso", content=b"iso" * 100,
    )
    with partner_scope(global_admin.partner):
        result = keys_and_downloads_issue(
            partner=global_admin.partner, actor=role_users[Role.ADMIN_AGENT],
            purchase_id=purchase.pk, version=variant.version, language=variant.language,
            file_type=variant.file_type, base_url="http://testserver",
        )
    link_holder = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Edge/131")
    response = link_holder.get(result.download.uri.removeprefix("http://testserver"))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return purchase


def _today(viewer) -> dict:
    today = timezone.localdate(timezone=ZoneInfo(viewer.time_zone)).isoformat()
    return {"start": today, "end": today}


def test_the_account_admin_sees_keys_links_and_the_download_with_the_preset(
    downloaded, role_users, client_for
):
    accounts = role_users[Role.ACCOUNT_ADMIN]
    response = client_for(accounts).get("/settings/activity-log/", {**_today(accounts), **PRESET})
    rows = {row.operation_type: row for row in response.context["rows"]}
    assert set(rows) == {"get_software_key", "get_software_download_link", "software_download"}
    assert rows["get_software_key"].user == role_users[Role.ADMIN_AGENT].email
    download = rows["software_download"]
    assert (download.user, download.ip_address, download.customer, download.product) == (
        "link holder", "203.0.113.77", "Contoso Italia", "Windows Server 2022 Standard"
    )


def test_the_download_is_in_the_exported_csv(downloaded, role_users, client_for):
    accounts = role_users[Role.ACCOUNT_ADMIN]
    response = client_for(accounts).get(
        "/settings/activity-log/export.csv", {**_today(accounts), **PRESET}
    )
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    [download] = [row for row in rows if row["operationType"] == "software_download"]
    assert (download["userPrincipalName"], download["ipAddress"], download["userAgent"],
            download["customerName"], download["productTitle"]) == (
        "", "203.0.113.77", "Edge/131", "Contoso Italia", "Windows Server 2022 Standard"
    )
    assert len(rows) == 3
