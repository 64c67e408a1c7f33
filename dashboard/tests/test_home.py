"""The home page after sign-in: a dashboard of what needs attention, panel by panel for the roles
that act on it, never another partner's data."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from catalog.models import ProductFamily
from catalog.services import software_variant_store
from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from invoices.tests.factories import invoice_for
from orders.models import Purchase
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete
from orders.tests.factories import order_for
from software.models import DownloadLink
from software.services import keys_and_downloads_issue
from support.choices import Status
from support.tests.factories import ServiceRequestFactory

PANELS = ("closing-purchases", "expiring-links", "waiting-requests", "invoices-summary",
          "invoice-chart", "customer-chart")
# SPEC §1 and issue 19: which roles act on each panel.
PANELS_OF = {
    Role.GLOBAL_ADMIN: {"closing-purchases", "waiting-requests", "invoices-summary",
                        "invoice-chart", "customer-chart"},
    Role.ADMIN_AGENT: {"closing-purchases", "expiring-links", "waiting-requests"},
    Role.SALES_AGENT: {"closing-purchases", "waiting-requests"},
    Role.ACCOUNT_ADMIN: {"waiting-requests", "invoices-summary"},
    Role.BILLING_ADMIN: {"waiting-requests", "invoices-summary", "invoice-chart",
                         "customer-chart"},
    Role.REFERRAL_ADMIN: set(),
    Role.MARKETING_CONTENT_ADMIN: set(),
}


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, panel: str) -> str:
    return html.split(f'id="{panel}"', 1)[1].split("</section>", 1)[0]


def _purchase(customer, *, days_ago: float, **product) -> Purchase:
    order = order_for(customer, at=timezone.now() - timedelta(days=days_ago), **product)
    with partner_scope(customer.partner):
        return order.lines.get()


@pytest.fixture
def contoso(owner_partner):
    return CustomerFactory(partner=owner_partner, country="IT", company_name="Contoso Italia")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_sees_the_panels_it_acts_on(role, role_users, client_for):
    html = _home(client_for(role_users[role]))
    shown = {panel for panel in PANELS if f'id="{panel}"' in html}
    assert shown == PANELS_OF[role]
    assert ('id="nothing-to-show"' in html) is (not PANELS_OF[role])


def test_support_staff_keep_their_queue(support_user, client_for):
    response = client_for(support_user).get("/")
    assert (response.status_code, response["Location"]) == (302, "/support/queue/")


def test_a_visitor_is_sent_to_sign_in():
    assert Client().get("/")["Location"].startswith("/accounts/login/")


def test_purchases_closing_within_seven_days_with_days_left_and_cancel_for_an_admin_agent(
    contoso, role_users, client_for
):
    five_left = _purchase(contoso, days_ago=55, title="Windows Server 2022 Standard")
    one_left = _purchase(contoso, days_ago=59.5, title="SQL Server 2022 Standard")
    thirty_day = _purchase(contoso, days_ago=27, title="Visio 2024", cancellation_window_days=30)
    _purchase(contoso, days_ago=50, title="Too early")  # ten days left
    _purchase(contoso, days_ago=61, title="Too late")  # the window has passed
    _purchase(contoso, days_ago=55, title="SUSE plan", family=ProductFamily.SOFTWARE_PLAN)
    cancelled = _purchase(contoso, days_ago=56, title="Already cancelled")
    with partner_scope(contoso.partner):
        purchase_cancel(partner=contoso.partner, actor=role_users[Role.ADMIN_AGENT],
                        purchase_id=cancelled.pk, acknowledged=True)

    panel = _section(_home(client_for(role_users[Role.ADMIN_AGENT])), "closing-purchases")
    rows = re.findall(r'<tr data-purchase="(\d+)">(.*?)</tr>', panel, re.S)
    assert [int(pk) for pk, _row in rows] == [one_left.pk, thirty_day.pk, five_left.pk]
    cells = dict((int(pk), row) for pk, row in rows)
    assert "Contoso Italia" in cells[five_left.pk]
    assert "Windows Server 2022 Standard" in cells[five_left.pk]
    assert five_left.order.alternate_id in cells[five_left.pk]
    assert ">5 days<" in cells[five_left.pk] and ">1 day<" in cells[one_left.pk]
    cancel_url = f"/customers/{contoso.entra_tenant_id}/software/{five_left.pk}/cancel/"
    assert f'href="{cancel_url}"' in cells[five_left.pk]

    sales = _section(_home(client_for(role_users[Role.SALES_AGENT])), "closing-purchases")
    assert five_left.order.alternate_id in sales and "/cancel/" not in sales


def test_an_admin_agent_cancels_from_the_dashboard_and_the_purchase_leaves_it(
    contoso, role_users, client_for
):
    purchase = _purchase(contoso, days_ago=55, title="Windows Server 2022 Standard")
    agent = client_for(role_users[Role.ADMIN_AGENT])
    url = f"/customers/{contoso.entra_tenant_id}/software/{purchase.pk}/cancel/"
    assert "5 days remain to cancel this order." in agent.get(url).content.decode()
    done = agent.post(url, {"purchase": purchase.pk, "acknowledged": "on"})
    assert "up to 15 minutes" in done.content.decode()
    assert f'data-purchase="{purchase.pk}"' not in _home(agent)


def test_download_links_that_expire_soon_or_have_few_downloads_left(
    contoso, role_users, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    agent = role_users[Role.ADMIN_AGENT]
    links = {}
    for name in ("expiring", "used", "fresh", "retired_old", "expired"):
        purchase = _purchase(contoso, days_ago=2, title=f"Windows Server {name}", issues_keys=True)
        software_variant_store(
            product=purchase.product, version="2022", language="it-IT", file_type="ISO (x64)",
            filename=f"{name}.iso", content=b"iso",
        )
        with partner_scope(contoso.partner):
            keys_and_downloads_issue(
                partner=contoso.partner, actor=agent, purchase_id=purchase.pk,
                base_url="http://testserver/", version="2022", language="it-IT",
                file_type="ISO (x64)",
            )
            links[name] = DownloadLink.objects.get(purchase=purchase)
    now = timezone.now()
    with partner_scope(contoso.partner):
        DownloadLink.objects.filter(pk=links["expiring"].pk).update(
            expires_at=now + timedelta(days=2))
        DownloadLink.objects.filter(pk=links["used"].pk).update(download_count=46)
        DownloadLink.objects.filter(pk=links["retired_old"].pk).update(
            expires_at=now + timedelta(hours=1), retired_at=now)
        DownloadLink.objects.filter(pk=links["expired"].pk).update(
            expires_at=now - timedelta(hours=1))

    panel = _section(_home(client_for(agent)), "expiring-links")
    shown = [int(pk) for pk in re.findall(r'<tr data-link="(\d+)">', panel)]
    assert shown == [links["expiring"].pk, links["used"].pk]
    used = panel.split(f'data-link="{links["used"].pk}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>4</td>" in used and "2022 · it-IT · ISO (x64)" in used
    assert f"/customers/{contoso.entra_tenant_id}/software/?purchase=" in used


def test_support_requests_waiting_on_the_partner(owner_partner, outsider, role_users,
                                                 client_for):
    waiting = ServiceRequestFactory(partner=owner_partner, title="Need the invoice number",
                                    status=Status.WAITING_ON_PARTNER)
    ServiceRequestFactory(partner=owner_partner, title="Still new", status=Status.NEW)
    ServiceRequestFactory(partner=outsider.partner, title="Theirs, waiting",
                          status=Status.WAITING_ON_PARTNER)
    panel = _section(_home(client_for(role_users[Role.SALES_AGENT])), "waiting-requests")
    assert "Need the invoice number" in panel and waiting.number in panel
    assert f'href="/support/requests/{waiting.pk}/"' in panel
    assert "Still new" not in panel and "Theirs" not in panel


def test_the_last_invoice_and_the_credits_waiting_for_the_next_one(
    contoso, role_users, client_for, settings, tmp_path
):
    settings.INVOICE_PDF_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }
    settings.CANCELLATION_PROPAGATION_DELAY_SECONDS = 0
    invoice = invoice_for(contoso)
    purchase = _purchase(contoso, days_ago=1, title="SQL Server 2022 Standard")
    with partner_scope(contoso.partner):
        purchase_cancel(partner=contoso.partner, actor=role_users[Role.ADMIN_AGENT],
                        purchase_id=purchase.pk, acknowledged=True)
        assert purchase_cancellation_complete(purchase_id=purchase.pk) is True
    panel = _section(_home(client_for(role_users[Role.BILLING_ADMIN])), "invoices-summary")
    assert f'href="/invoices/{invoice.number}/"' in panel
    credits = panel.split('id="waiting-credits"', 1)[1]
    assert "Cancellation credit" in credits and "SQL Server 2022 Standard" in credits
    assert "€122.00" in credits and "€122.00 in credits so far." in panel


def test_the_spend_charts_draw_months_and_customers_readable_without_sight(
    contoso, owner_partner, outsider, role_users, client_for
):
    adatum = CustomerFactory(partner=owner_partner, country="IT", company_name="Adatum Italia")
    order_for(contoso, unit_price=Decimal("1000"))
    order_for(adatum, unit_price=Decimal("100"))
    theirs = CustomerFactory(partner=outsider.partner, country="IT", company_name="Not yours")
    order_for(theirs, unit_price=Decimal("5000"))
    html = _home(client_for(role_users[Role.BILLING_ADMIN]))
    months = _section(html, "invoice-chart")
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in months
    customers = _section(html, "customer-chart")
    assert 'role="img" aria-labelledby="customer-chart-title customer-chart-desc"' in customers
    table = customers.split('id="customer-chart-figures"', 1)[1]
    names = re.findall(r'<th scope="row">(.*?)</th>', table)
    assert names == ["Contoso Italia", "Adatum Italia"]
    assert "€1,220.00" in table and "€122.00" in table
    assert "Not yours" not in html


@pytest.mark.parametrize("currency", ["USD", "", "eur", "<script>", "x" * 3000])
def test_any_currency_asked_for_gives_a_page(contoso, role_users, client_for, currency):
    order_for(contoso)
    response = client_for(role_users[Role.GLOBAL_ADMIN]).get("/", {"currency": currency})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]
    assert "in EUR" in response.content.decode()
