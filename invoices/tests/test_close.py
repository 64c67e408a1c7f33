"""The month close: beat-scheduled, idempotent, safe concurrently and after a crash."""

import threading
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from activity.models import Event, OperationType
from core.tenancy import partner_scope
from csp_portal.celery import app
from invoices import sweeps
from invoices.models import Invoice, InvoiceSequence
from invoices.tasks import invoice_pdf_render_task, invoices_close_task
from invoices.tests.factories import OCTOBER


def _october_invoices(partner):
    with partner_scope(partner):
        return list(
            Invoice.objects.filter(period_start=OCTOBER.first_day)
            .order_by("sequence")
            .values_list("currency_code", "sequence")
        )


def test_closing_twice_issues_each_invoice_once(story):
    first, second = story.close_october(), story.close_october()
    assert [invoice.currency_code for invoice in first.issued] == ["AUD", "EUR"]
    assert second.issued == []
    assert _october_invoices(story.partner) == [("AUD", 2), ("EUR", 3)]


def test_each_issued_invoice_is_in_the_activity_log_once(story):
    story.close_october()
    story.close_october()
    with partner_scope(story.partner):
        events = list(
            Event.objects.filter(operation_type=OperationType.ISSUE_INVOICE).order_by("object_id")
        )
        invoices = list(Invoice.objects.order_by("number"))
    assert [(event.object_id, event.details["period"], event.actor) for event in events] == [
        (invoice.number, f"{invoice.period_start:%Y-%m}", None) for invoice in invoices
    ]
    assert {event.details["period"] for event in events} >= {"2026-10"}


@pytest.mark.django_db(transaction=True)
def test_closing_concurrently_issues_one_invoice_per_partner_month_and_currency(story):
    start = threading.Barrier(4)
    issued, errors = [], []

    def close():
        start.wait()
        try:
            issued.extend(story.close_october().issued)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(invoice.currency_code for invoice in issued) == ["AUD", "EUR"]
    assert _october_invoices(story.partner) == [("AUD", 2), ("EUR", 3)]
    with partner_scope(story.partner):
        assert InvoiceSequence.objects.get().last_sequence == 3


def test_a_close_that_failed_half_way_issues_the_rest_when_run_again(story, monkeypatch):
    real_issue = sweeps.invoice_issue

    def crash_on_euros(**kwargs):
        if kwargs["currency_code"] == "EUR":
            raise ConnectionError("the database went away")
        return real_issue(**kwargs)

    monkeypatch.setattr(sweeps, "invoice_issue", crash_on_euros)
    crashed = story.close_october()
    assert [i.currency_code for i in crashed.issued] == ["AUD"]
    assert crashed.failed == [(story.partner.pk, "2026-10 EUR")]
    assert _october_invoices(story.partner) == [("AUD", 2)]

    monkeypatch.setattr(sweeps, "invoice_issue", real_issue)
    again = story.close_october()
    assert [i.currency_code for i in again.issued] == ["EUR"]
    assert _october_invoices(story.partner) == [("AUD", 2), ("EUR", 3)]


def test_a_broker_outage_at_issue_leaves_the_pdf_to_the_reconciler(
    story, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.INVOICE_PDF_RENDER_GRACE_SECONDS = 100 * 24 * 3600  # no reconciling in this test

    def broker_down(**kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(invoice_pdf_render_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = story.close_october()
    assert len(callbacks) == 2
    assert [i.currency_code for i in outcome.issued] == ["AUD", "EUR"] and outcome.failed == []
    assert _october_invoices(story.partner) == [("AUD", 2), ("EUR", 3)]


def test_the_command_closes_the_month_it_is_given(story, time_machine):
    time_machine.move_to(datetime(2026, 11, 25, 9, tzinfo=UTC), tick=False)
    out = StringIO()
    call_command("close_invoices", "--month", "2026-10", stdout=out)
    number = story.partner.partner_number
    assert f"Issued INV-{number}-000002" in out.getvalue()
    assert "2026-10 closed: 2 invoice(s) issued" in out.getvalue()
    out = StringIO()
    call_command("close_invoices", "--month", "2026-10", stdout=out)
    assert "2026-10 closed: 0 invoice(s) issued" in out.getvalue()


@pytest.mark.parametrize(
    ("month", "message"),
    [("October", "YYYY-MM"), ("2026-13", "YYYY-MM"), ("2999-01", "has not ended yet")],
)
def test_the_command_refuses_a_month_it_cannot_close(db, month, message):
    with pytest.raises(CommandError, match=message):
        call_command("close_invoices", "--month", month, stdout=StringIO())


def test_the_beat_closes_last_month_on_the_first_at_half_past_midnight_utc(story, time_machine):
    entry = settings.CELERY_BEAT_SCHEDULE["invoices-month-close"]
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {0}, {30})
    assert entry["task"] == invoices_close_task.name == "invoices.month_close"
    assert "invoices.invoice_pdf_render" in app.tasks
    time_machine.move_to(datetime(2026, 11, 1, 0, 30, tzinfo=UTC), tick=False)
    assert invoices_close_task() == 2
    assert _october_invoices(story.partner) == [("AUD", 2), ("EUR", 3)]
