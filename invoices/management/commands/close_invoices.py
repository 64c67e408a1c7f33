from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import PortalError
from invoices.periods import Month
from invoices.sweeps import invoices_close


class Command(BaseCommand):
    help = (
        "Issue a month's invoices for every partner and currency with something to bill "
        "(default: last month, UTC). Safe to run again: an issued invoice is never issued twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month to close, as YYYY-MM (e.g. 2026-10).")

    def handle(self, *args, month=None, **options):
        now = timezone.now()
        try:
            chosen = Month.parse(month) if month else Month.before(now)
            outcome = invoices_close(month=chosen, at=now)
        except PortalError as error:
            raise CommandError(error.message) from error
        for invoice in outcome.issued:
            self.stdout.write(
                f"Issued {invoice.number}: {invoice.partner_name}, "
                f"{invoice.period_start:%Y-%m}, {invoice.total} {invoice.currency_code}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{chosen} closed: {len(outcome.issued)} invoice(s) issued; "
                f"{outcome.pdfs_enqueued} PDF(s) re-queued."
            )
        )
        if outcome.failed:
            failures = ", ".join(f"partner {pk} ({what})" for pk, what in outcome.failed)
            raise CommandError(f"Not issued, see the log, then run again: {failures}")
