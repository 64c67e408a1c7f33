"""The Invoices pages: list with its chart, Unbilled, detail, PDF download; roles and partners."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.roles import Role
from core.tenancy import partner_scope
from customers.tests.factories import CustomerFactory
from invoices.services import invoice_pdf_render
from invoices.tests.factories import invoice_for
from orders.services.cancellation import purchase_cancel, purchase_cancellation_complete

NEXT_INVOICE_NOTE = "A credit for the cancelled order will appear on your next monthly invoice."
INVOICE_ROLES = [Role.GLOBAL_ADMIN, Role.ACCOUNT_ADMIN, Role.BILLING_ADMIN]
OTHER_ROLES = [role for role in Role if role not in INVOICE_ROLES]


@pytest.fixture
def billing(role_users, client_for):
    return client_for(role_users[Role.BILLING_ADMIN])


@pytest.fixture
def closed(story, time_machine):
    time_machine.move_to(datetime(2026, 11, 3, 9, tzinfo=UTC), tick=False)
    story.close_october()
    return story


def _rendered(invoice):
    with partner_scope(invoice.partner):
        invoice_pdf_render(invoice_id=invoice.pk)
        invoice.refresh_from_db()
    return invoice


def test_the_list_shows_issued_invoices_the_next_invoice_and_the_chart(closed, billing):
    page = billing.get("/invoices/").content.decode()
    euro = closed.invoice("EUR")
    assert f'data-invoice="{euro.number}"' in page and "€876.69" in page
    assert "Being prepared" in page  # no worker has rendered the PDFs in this test
    assert "Nothing is waiting to be invoiced." in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert '<title id="chart-title">Charges and credits per month, in EUR</title>' in page
    assert 'id="chart-figures"' in page and "October 2026" in page


def test_the_chart_draws_octobers_charges_above_and_its_credit_below_the_line(closed, billing):
    response = billing.get("/invoices/?currency=EUR")
    chart = response.context["chart"]
    october = next(c for c in chart.columns if c.figures.month.month == 10)
    assert (october.figures.charges, october.figures.credits) == (
        Decimal("1967.68"),
        Decimal("-1090.99"),
    )
    assert october.charge_bar.y + october.charge_bar.height == chart.zero_y == october.credit_bar.y
    assert october.charge_bar.height > october.credit_bar.height > 0
    # No inline style or script: the page's CSP (style-src 'self') would block them.
    page = response.content.decode()
    assert " style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_chart_is_numbers_for_svg_even_in_italian(closed, role_users, client_for):
    viewer = role_users[Role.BILLING_ADMIN]
    viewer.language = "it"
    viewer.save(update_fields=["language"])
    page = client_for(viewer).get("/invoices/?currency=EUR").content.decode()
    assert "ottobre 2026" in page and "1.967,68" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'y="14"' in svg and ",5" not in svg.split("<title")[0]


def test_unbilled_shows_a_completed_cancellations_credit_at_once(
    owner_partner, role_users, billing, time_machine
):
    invoice = invoice_for(CustomerFactory(partner=owner_partner, country="IT"))
    with partner_scope(owner_partner):
        purchase = invoice.lines.get().charge
    time_machine.move_to(datetime(2026, 10, 1, 9, tzinfo=UTC), tick=False)
    with partner_scope(owner_partner):
        purchase_cancel(
            partner=owner_partner,
            actor=role_users[Role.ADMIN_AGENT],
            purchase_id=purchase.pk,
            acknowledged=True,
        )
    assert NEXT_INVOICE_NOTE not in billing.get("/invoices/unbilled/").content.decode()
    time_machine.move_to(datetime(2026, 10, 1, 9, 16, tzinfo=UTC), tick=False)
    with partner_scope(owner_partner):
        purchase_cancellation_complete(purchase_id=purchase.pk)
    page = billing.get("/invoices/unbilled/").content.decode()
    assert NEXT_INVOICE_NOTE in page
    assert 'data-kind="cancelImmediate"' in page and "-€122.00" in page
    assert f"charged on invoice {invoice.number}" in page


def test_the_detail_groups_lines_by_customer_with_tax_per_market(closed, billing):
    euro = closed.invoice("EUR")
    page = billing.get(f"/invoices/{euro.number}/").content.decode()
    assert page.index("Adatum GmbH") < page.index("Contoso Italia S.p.A.")
    assert 'data-market="DE"' in page and 'data-market="IT"' in page
    assert f"charged on invoice {closed.september_invoice.number}" in page
    assert "€876.69" in page and "-€1,090.99" in page
    assert 'id="pdf-pending"' in page


def test_a_pdf_not_rendered_yet_says_it_is_being_prepared(closed, billing):
    response = billing.get(f"/invoices/{closed.invoice('EUR').number}/pdf/")
    assert response.status_code == 202
    assert response["Retry-After"] == "30"
    assert "is being prepared" in response.content.decode()


def test_the_pdf_downloads_byte_for_byte_the_same_every_time(closed, billing):
    euro = _rendered(closed.invoice("EUR"))
    first, second = (billing.get(f"/invoices/{euro.number}/pdf/") for _ in range(2))
    bodies = [b"".join(r.streaming_content) for r in (first, second)]
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == f'attachment; filename="{euro.number}.pdf"'
    assert first["ETag"] == f'"{euro.pdf_sha256}"'
    assert bodies[0] == bodies[1] and bodies[0].startswith(b"%PDF-")


@pytest.mark.parametrize("role", INVOICE_ROLES, ids=str)
def test_global_account_and_billing_admins_see_invoices(closed, role_users, client_for, role):
    euro = closed.invoice("EUR")
    client = client_for(role_users[role])
    for path in ("/invoices/", "/invoices/unbilled/", f"/invoices/{euro.number}/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", OTHER_ROLES, ids=str)
def test_other_roles_are_refused_with_403(closed, role_users, client_for, role):
    euro = closed.invoice("EUR")
    client = client_for(role_users[role])
    for path in ("/invoices/", "/invoices/unbilled/", f"/invoices/{euro.number}/pdf/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Billing admin" in response.content.decode()


def test_another_partners_invoice_is_404_on_the_page_and_the_pdf(closed, outsider, client_for):
    euro = _rendered(closed.invoice("EUR"))
    client = client_for(outsider)
    assert client.get(f"/invoices/{euro.number}/").status_code == 404
    assert client.get(f"/invoices/{euro.number}/pdf/").status_code == 404
    assert euro.number not in client.get("/invoices/").content.decode()


def test_the_menu_leads_to_the_invoices(closed, billing):
    page = billing.get("/invoices/").content.decode()
    assert '<a href="/invoices/" data-nav="invoices:invoice_list" aria-current="page">' in page


def test_the_summary_says_which_figures_include_tax(closed, billing):
    euro = closed.invoice("EUR")
    page = billing.get(f"/invoices/{euro.number}/").content.decode()
    totals = page.split('class="compact invoice-totals"', 1)[1].split("</table>", 1)[0]
    rows = [cell.strip() for cell in re.findall(r'<th scope="row">(.*?)</th>', totals)]
    assert rows == ["Charges (tax included)", "Credits (tax included)", "Subtotal before tax",
                    "Tax", "Total"]
    charges = re.search(r"Charges \(tax included\)</th><td class=\"num\">(.*?)</td>", totals)
    assert charges.group(1) == f"€{euro.charges_total:,.2f}"
    assert euro.charges_total + euro.credits_total == euro.subtotal + euro.tax_total
