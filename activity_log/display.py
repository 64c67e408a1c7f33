"""What the Activity log page shows, formatted once in Python: its rows and its chart.

The chart is laid out here as SVG geometry (the page needs no script). Both exist because the
template's filters, run per cell, cost more than the page's queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from activity.models import Event, OperationType

from .details import event_details_text, event_product_text
from .selectors import PeriodCount

DETAILS_SHOWN_CHARS = 160
# What a download link's holder does without signing in: downloading, and resuming a download.
LINK_HOLDER_OPERATIONS = frozenset(
    {OperationType.SOFTWARE_DOWNLOAD, OperationType.SOFTWARE_DOWNLOAD_RESUMED}
)

WIDTH = 720
PLOT_TOP = 16
PLOT_BOTTOM = 150
HEIGHT = 176
# A gap between bars keeps neighbours apart while there is room for one.
BAR_FILL = 0.8


@dataclass(frozen=True)
class Bar:
    """One period's bar; coordinates as SVG text, the label in the viewer's locale."""

    label: str
    events: int
    x: str
    y: str
    width: str
    height: str


@dataclass(frozen=True)
class Chart:
    kind: str  # "day", "week" or "month"
    bars: list[Bar]
    total: int
    peak: Bar | None
    width: int = WIDTH
    height: int = HEIGHT
    plot_top: int = PLOT_TOP
    plot_bottom: int = PLOT_BOTTOM

    @property
    def title(self) -> str:
        return {"day": _("Events per day"), "week": _("Events per week"),
                "month": _("Events per month")}[self.kind]

    @property
    def caption(self) -> str:
        return {
            "day": _("Events per day for this range and these filters."),
            "week": _("Events per week (from Monday) for this range and these filters."),
            "month": _("Events per month for this range and these filters."),
        }[self.kind]

    @property
    def period_name(self) -> str:
        return {"day": _("Day"), "week": _("Week"), "month": _("Month")}[self.kind]

    # A quarter has 92 bars and as many table rows: joined here, not looped over in the template
    # or passed through format_html, they cost a tenth of the time. Only the label is text.
    def bars_svg(self) -> str:
        """The bars as SVG <rect> elements, each with its label and count as a tooltip."""
        return mark_safe("".join(  # noqa: S308 - numbers formatted here and an escaped label
            f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
            f'fill="#1f6feb"><title>{escape(bar.label)}: {bar.events}</title></rect>'
            for bar in self.bars
        ))

    def table_rows(self) -> str:
        """The same numbers as table rows, for screen readers and anyone without the picture."""
        return mark_safe("".join(  # noqa: S308 - an escaped label and a number
            f'<tr><th scope="row">{escape(bar.label)}</th><td>{bar.events}</td></tr>'
            for bar in self.bars
        ))


def chart_layout(*, kind: str, periods: list[PeriodCount]) -> Chart:
    """Bars scaled so the busiest period reaches the top of the plot."""
    peak = max(periods, key=lambda period: period.events, default=None)
    highest = peak.events if peak is not None and peak.events else 1
    slot = WIDTH / max(len(periods), 1)
    # Formatted here, once per bar: the template shows each label twice (tooltip and table),
    # and its filters cost more than the whole query on a quarter of bars.
    label_format = get_format("YEAR_MONTH_FORMAT" if kind == "month" else "SHORT_DATE_FORMAT")
    week_label = _("Week of %(day)s")
    bars = []
    for index, period in enumerate(periods):
        height = (PLOT_BOTTOM - PLOT_TOP) * period.events / highest
        label = dateformat.format(period.starts_on, label_format)
        bars.append(Bar(
            label=week_label % {"day": label} if kind == "week" else label, events=period.events,
            x=f"{index * slot + slot * (1 - BAR_FILL) / 2:.2f}", y=f"{PLOT_BOTTOM - height:.2f}",
            width=f"{slot * BAR_FILL:.2f}", height=f"{height:.2f}",
        ))
    return Chart(
        kind=kind, bars=bars, total=sum(period.events for period in periods),
        peak=bars[periods.index(peak)] if peak is not None and peak.events else None,
    )


@dataclass(frozen=True)
class LogRow:
    operation_type: str
    time_iso: str
    time_text: str
    user: str
    ip_address: str
    operation: str
    customer: str
    product: str
    details: str


def log_rows(*, events: list[Event]) -> list[LogRow]:
    """The page's rows, times in the current (the viewer's) time zone."""
    link_holder = _("link holder")
    # Work the portal did on its own (a month close, a cancellation completed by the worker)
    # has no person behind it; only a download can come from an anonymous link holder.
    the_portal = _("the portal (automatic)")
    day_format = get_format("SHORT_DATE_FORMAT")
    rows = []
    for event in events:
        local = timezone.localtime(event.occurred_at)
        details = event_details_text(event)
        operation = event.operation_label
        if event.operation_status != "succeeded":
            operation = f"{operation} ({event.operation_status})"
        rows.append(LogRow(
            operation_type=event.operation_type, time_iso=local.isoformat(),
            time_text=f"{dateformat.format(local, day_format)} {local:%H:%M:%S}",
            user=event.actor_email or (
                link_holder if event.operation_type in LINK_HOLDER_OPERATIONS else the_portal
            ), ip_address=event.ip_address or "—",
            operation=operation,
            customer=event.customer.company_name if event.customer is not None else "—",
            product=event_product_text(event) or "—",
            details=(details if len(details) <= DETAILS_SHOWN_CHARS
                     else Truncator(details).chars(DETAILS_SHOWN_CHARS)),
        ))
    return rows
