"""Calendar months in UTC and the chart's round grid."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from core.errors import PortalError
from invoices.chart import monthly_chart, nice_ceiling
from invoices.periods import Month, months_between
from invoices.selectors import MonthFigures


def test_the_close_on_new_years_day_bills_december_of_the_year_before():
    assert Month.before(datetime(2027, 1, 1, 0, 30, tzinfo=UTC)) == Month(2026, 12)


def test_a_month_is_cut_in_utc_whatever_the_clock_of_the_caller():
    rome = timezone(timedelta(hours=1))
    # 00:30 on 1 November in Rome is still 31 October in UTC.
    assert Month.of(datetime(2026, 11, 1, 0, 30, tzinfo=rome)) == Month(2026, 10)


def test_a_month_knows_its_days_and_bounds():
    february = Month(2028, 2)
    assert (february.first_day, february.last_day) == (date(2028, 2, 1), date(2028, 2, 29))
    assert february.end_at == datetime(2028, 3, 1, tzinfo=UTC)
    assert months_between(Month(2026, 11), Month(2027, 2)) == [
        Month(2026, 11),
        Month(2026, 12),
        Month(2027, 1),
        Month(2027, 2),
    ]


@pytest.mark.parametrize("text", ["2026-10", " 2026-10 "])
def test_a_month_is_read_as_yyyy_mm(text):
    assert Month.parse(text) == Month(2026, 10)


@pytest.mark.parametrize("text", ["", "10/2026", "2026-00", "2026-13", "2026-1"])
def test_anything_else_is_refused_with_a_clear_code(text):
    with pytest.raises(PortalError) as refused:
        Month.parse(text)
    assert refused.value.code == "invalid_month"


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [("0", "0"), ("0.4", "0.5"), ("7", "10"), ("1000", "1000"), ("1304.18", "2000")],
)
def test_the_grid_rounds_up_to_one_two_or_five(value, ceiling):
    assert nice_ceiling(Decimal(value)) == Decimal(ceiling)


def test_an_empty_year_draws_a_flat_chart_that_says_so():
    months = months_between(Month(2025, 12), Month(2026, 11))
    figures = [MonthFigures(month=m, charges=Decimal(0), credits=Decimal(0)) for m in months]
    chart = monthly_chart(figures=figures, currency_code="EUR")
    assert not chart.has_data
    assert len(chart.columns) == 12 and [g.value for g in chart.grid] == [Decimal(0)]
    assert all(c.charge_bar.height == c.credit_bar.height == 0 for c in chart.columns)
    assert [c.shows_year for c in chart.columns] == [True, True] + [False] * 10
