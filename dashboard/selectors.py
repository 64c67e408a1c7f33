"""The home page: what needs the signed-in user's attention, one panel per selector, each shown
to the roles that act on it. It reads orders, software, support and invoices; none of them reads
it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from core.roles import Action, user_can
from invoices.chart import Chart as MonthChart
from invoices.chart import CustomerChart, customer_chart, monthly_chart
from invoices.drafts import unbilled_credits
from invoices.selectors import invoice_list, spend_figures
from orders.models import Credit, Purchase
from orders.selectors import purchases_closing_between
from software.models import DownloadLink
from software.selectors import download_links_running_out
from support.choices import Status
from support.selectors import service_request_list

CLOSING_WITHIN = timedelta(days=7)
# A link with this little time or this few downloads left is worth issuing again now.
LINK_EXPIRES_WITHIN = timedelta(days=3)
LINK_DOWNLOADS_LEFT = 5
ROWS_SHOWN = 10
CUSTOMERS_CHARTED = 10


@dataclass(frozen=True)
class ClosingPurchase:
    purchase: Purchase
    closes_at: datetime
    days_left: int


@dataclass(frozen=True)
class Panel:
    """The first rows of what needs attention, and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class InvoicesPanel:
    last_invoice: object | None
    credits: Panel
    credit_totals: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class SpendPanel:
    chart: MonthChart
    customers: CustomerChart
    currencies: list[str]


@dataclass(frozen=True)
class Dashboard:
    closing: Panel | None = None
    links: Panel | None = None
    support: Panel | None = None
    invoices: InvoicesPanel | None = None
    spend: SpendPanel | None = None

    @property
    def is_empty(self) -> bool:
        return not any((self.closing, self.links, self.support, self.invoices, self.spend))


def closing_purchases_panel(*, at: datetime) -> Panel:
    """Return the purchases whose cancellation window closes in the next 7 days, soonest first."""
    closing = []
    for purchase in purchases_closing_between(start=at, end=at + CLOSING_WITHIN):
        until = purchase.cancellable_until
        days_left = max(1, math.ceil((until - at) / timedelta(days=1)))
        closing.append(ClosingPurchase(purchase=purchase, closes_at=until, days_left=days_left))
    closing.sort(key=lambda row: (row.closes_at, row.purchase.pk))
    return Panel(rows=closing[:ROWS_SHOWN], total=len(closing))


def download_links_panel(*, at: datetime) -> Panel:
    """Return the live links that expire within three days or have five downloads or fewer left."""
    links = download_links_running_out(
        at=at, expire_within=LINK_EXPIRES_WITHIN, downloads_left=LINK_DOWNLOADS_LEFT
    )
    rows: list[DownloadLink] = list(links[:ROWS_SHOWN])
    return Panel(rows=rows, total=len(rows) if len(rows) < ROWS_SHOWN else links.count())


def support_waiting_panel() -> Panel:
    """Return the support requests waiting on the partner, the longest waiting first."""
    waiting = service_request_list().filter(status=Status.WAITING_ON_PARTNER).order_by(
        "updated_at", "id"
    )
    rows = list(waiting[:ROWS_SHOWN])
    return Panel(rows=rows, total=len(rows) if len(rows) < ROWS_SHOWN else waiting.count())


def invoices_panel() -> InvoicesPanel:
    """Return the last invoice issued, and the credits waiting for the next one."""
    waiting = unbilled_credits(Credit.objects.all()).select_related("customer", "purchase")
    credits = list(waiting.order_by("-booked_at", "-id"))
    totals: dict[str, Decimal] = {}
    for credit in credits:
        totals[credit.currency_code] = totals.get(credit.currency_code, Decimal(0)) + credit.total
    return InvoicesPanel(
        last_invoice=invoice_list().first(),
        credits=Panel(rows=credits[:ROWS_SHOWN], total=len(credits)),
        credit_totals=sorted(totals.items()),
    )


def spend_panel(*, partner, currency_code: str, at: datetime) -> SpendPanel:
    """Return the charges and credits by month over 12 months, and the customers who cost most."""
    figures = spend_figures(
        partner=partner, currency_code=currency_code, at=at, customer_limit=CUSTOMERS_CHARTED
    )
    return SpendPanel(
        chart=monthly_chart(figures=figures.months, currency_code=figures.currency_code),
        customers=customer_chart(figures=figures.customers, currency_code=figures.currency_code),
        currencies=figures.currencies,
    )


def dashboard_get(*, user, at: datetime, currency_code: str = "") -> Dashboard:
    """Return the panels the user's roles act on, leaving the others out."""
    return Dashboard(
        closing=closing_purchases_panel(at=at) if user_can(user, Action.VIEW_CUSTOMERS) else None,
        links=(download_links_panel(at=at)
               if user_can(user, Action.GET_KEYS_AND_DOWNLOADS) else None),
        support=support_waiting_panel() if user_can(user, Action.FILE_SUPPORT_REQUESTS) else None,
        invoices=invoices_panel() if user_can(user, Action.VIEW_INVOICES) else None,
        spend=(spend_panel(partner=user.partner, currency_code=currency_code, at=at)
               if user_can(user, Action.VIEW_SPEND) else None),
    )
