"""The invoices' pictures: a year of charges and credits by month, and the customers who cost
most, as inline SVG bar charts.

Drawn on the server with SVG presentation attributes only (no style attribute, no script), so it
passes the Content Security Policy (`style-src 'self'`) and shows without JavaScript. Charges
rise above the zero line, credits hang below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from .selectors import CustomerFigures, MonthFigures

WIDTH, HEIGHT = 720, 250
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 92, 708, 14, 206
BAR_SHARE = 0.56  # of each month's slot, the rest is the gap between bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Column:
    figures: MonthFigures
    charge_bar: Bar
    credit_bar: Bar
    centre_x: float
    shows_year: bool


@dataclass(frozen=True)
class GridLine:
    y: float
    value: Decimal


@dataclass(frozen=True)
class Chart:
    currency_code: str
    columns: list[Column]
    grid: list[GridLine]
    zero_y: float
    has_data: bool
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    month_label_y: int = PLOT_BOTTOM + 18
    year_label_y: int = PLOT_BOTTOM + 34


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 × 10ⁿ at or above the value: round numbers for the grid."""
    if value <= 0:
        return Decimal(0)
    power = Decimal(10) ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def monthly_chart(*, figures: list[MonthFigures], currency_code: str) -> Chart:
    top = nice_ceiling(max((f.charges for f in figures), default=Decimal(0)))
    bottom = nice_ceiling(max((-f.credits for f in figures), default=Decimal(0)))
    span = float(top + bottom) or 1.0
    scale = (PLOT_BOTTOM - PLOT_TOP) / span
    zero_y = round(PLOT_TOP + float(top) * scale, 1)
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(figures), 1)
    bar_width = round(slot * BAR_SHARE, 1)
    columns = []
    for index, month in enumerate(figures):
        centre = PLOT_LEFT + slot * (index + 0.5)
        up = round(float(month.charges) * scale, 1)
        down = round(float(-month.credits) * scale, 1)
        left = round(centre - bar_width / 2, 1)
        columns.append(
            Column(
                figures=month,
                charge_bar=Bar(x=left, y=round(zero_y - up, 1), width=bar_width, height=up),
                credit_bar=Bar(x=left, y=zero_y, width=bar_width, height=down),
                centre_x=round(centre, 1),
                shows_year=index == 0 or month.month.month == 1,
            )
        )
    grid = [GridLine(y=PLOT_TOP, value=top)] if top else []
    grid.append(GridLine(y=zero_y, value=Decimal(0)))
    if bottom:
        grid.append(GridLine(y=PLOT_BOTTOM, value=-bottom))
    return Chart(
        currency_code=currency_code,
        columns=columns,
        grid=grid,
        zero_y=zero_y,
        has_data=bool(top or bottom),
    )


# The customers' chart: one horizontal bar per customer, its name at the left, its figure after.
CUSTOMER_ROW_HEIGHT = 28
CUSTOMER_NAME_RIGHT, CUSTOMER_BAR_LEFT, CUSTOMER_BAR_RIGHT = 226, 234, 610
CUSTOMER_NAME_CHARS = 30


@dataclass(frozen=True)
class CustomerRow:
    figures: CustomerFigures
    short_name: str
    bar: Bar
    text_y: float
    value_x: float


@dataclass(frozen=True)
class CustomerChart:
    currency_code: str
    rows: list[CustomerRow]
    width: int = WIDTH
    name_right: int = CUSTOMER_NAME_RIGHT
    bar_left: int = CUSTOMER_BAR_LEFT

    @property
    def height(self) -> int:
        return CUSTOMER_ROW_HEIGHT * len(self.rows) + 8


def customer_chart(*, figures: list[CustomerFigures], currency_code: str) -> CustomerChart:
    """Bars scaled so the costliest customer's reaches the right; credits above charges give
    no bar, only the figure."""
    top = nice_ceiling(max((f.net for f in figures), default=Decimal(0)))
    scale = (CUSTOMER_BAR_RIGHT - CUSTOMER_BAR_LEFT) / float(top or 1)
    rows = []
    for index, customer in enumerate(figures):
        length = round(max(float(customer.net), 0.0) * scale, 1)
        y = 4 + index * CUSTOMER_ROW_HEIGHT
        name = customer.name
        if len(name) > CUSTOMER_NAME_CHARS:
            name = name[: CUSTOMER_NAME_CHARS - 1] + "…"
        rows.append(CustomerRow(
            figures=customer, short_name=name,
            bar=Bar(x=CUSTOMER_BAR_LEFT, y=y + 4, width=length, height=CUSTOMER_ROW_HEIGHT - 10),
            text_y=y + CUSTOMER_ROW_HEIGHT / 2 + 4,
            value_x=round(CUSTOMER_BAR_LEFT + length + 6, 1),
        ))
    return CustomerChart(currency_code=currency_code, rows=rows)
