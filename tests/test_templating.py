"""The pages' Jinja2 environment writes what Django's engine wrote: escaped, localized, linked."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timezone import template_localtime

from csp_portal.templating import RowUrl
from orders.models import Purchase, PurchaseStatus


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_a_row_url_is_the_url_reverse_gives_for_that_row():
    customer_id = uuid.uuid4()
    assert RowUrl("customers:detail")(customer_id) == reverse(
        "customers:detail", args=[customer_id]
    )
    cancel = RowUrl("orders:purchase_cancel", customer_id)
    assert cancel(42) == reverse("orders:purchase_cancel", args=[customer_id, 42])


def test_values_are_escaped_and_the_pages_own_words_are_not():
    html = _render("{{ name }} {{ _(\"Customer's orders\") }}", name="<script>x</script>")
    assert html.startswith("&lt;script&gt;x&lt;/script&gt; Customer's orders")


def test_numbers_dates_and_countries_are_written_the_languages_way():
    source = "{{ amount }} {{ at|date('SHORT_DATETIME_FORMAT') }} {{ 'DE'|country_name }}"
    at = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    with translation.override("it"), timezone.override("Europe/Rome"):
        assert _render(source, amount=Decimal("1.5"), at=at) == "1,5 10/03/2026 00:30 Germania"
    with translation.override("en"), timezone.override("UTC"):
        assert _render(source, amount=Decimal("1.5"), at=at) == "1.5 03/09/2026 11:30 p.m. Germany"


def test_a_trans_blocks_numbers_are_written_the_languages_way():
    source = "{% trans rate=rate %}Prices include tax ({{ rate }}%).{% endtrans %}"
    with translation.override("it"):
        assert _render(source, rate=Decimal("10.00")) == "I prezzi includono le imposte (10,00%)."


def test_a_choices_label_is_the_models_display_in_the_active_language():
    purchase = Purchase(status=PurchaseStatus.PENDING_CANCELLATION)
    with translation.override("it"):
        assert _render("{{ p|choice_label('status') }}", p=purchase) == (
            purchase.get_status_display()
        )


def test_an_iso_date_is_djangos_in_the_viewers_zone():
    at = datetime(2026, 3, 9, 23, 30, 15, 120, tzinfo=UTC)
    with timezone.override("Europe/Rome"):
        assert _render("{{ at|date('c') }}", at=at) == date_filter(template_localtime(at), "c")


def test_a_day_is_written_in_each_viewers_language_and_zone():
    source = "{{ at|date('DATE_FORMAT') }}"
    at = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    with translation.override("en"), timezone.override("UTC"):
        assert _render(source, at=at) == "March 9, 2026"
    with translation.override("it"), timezone.override("UTC"):
        assert _render(source, at=at) == "09 Marzo 2026"
    with translation.override("it"), timezone.override("Europe/Rome"):
        assert _render(source, at=at) == "10 Marzo 2026"
    with translation.override("en"), timezone.override("Europe/Rome"):
        assert _render(source, at=at) == "March 10, 2026"


def test_a_plural_is_chosen_by_the_number_in_each_language():
    source = (
        "{% trans trimmed days=days %}{{ days }} day left to cancel{% pluralize days %}"
        "{{ days }} days left to cancel{% endtrans %}"
    )
    assert [_render(source, days=n) for n in (1, 3)] == [
        "1 day left to cancel", "3 days left to cancel"
    ]
    with translation.override("it"):
        one, three = (_render(source, days=n) for n in (1, 3))
    assert one.startswith("1 ") and three.startswith("3 ") and one != three
    assert "left" not in one + three
