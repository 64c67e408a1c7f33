from django.core.management.base import BaseCommand, CommandError

from demo.activity import events_seed
from partners.models import Partner

PROGRESS_EVERY = 1_000_000


class Command(BaseCommand):
    help = (
        "Append realistic synthetic activity events for one partner (COPY on PostgreSQL), "
        "to measure the activity log at scale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True)
        parser.add_argument("--partner", type=int, required=True, help="The partner id (number).")
        parser.add_argument("--days", type=int, default=400, help="Spread over the last N days.")
        parser.add_argument("--customers", type=int, default=200,
                            help="Add synthetic customers until the partner has this many.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed, to repeat a load.")

    def handle(self, *args, events, partner, days, customers, seed, **options):
        if events < 1 or days < 1 or customers < 0:
            raise CommandError("--events and --days must be positive, --customers not negative.")
        owner = Partner.objects.filter(partner_number=partner).first()
        if owner is None:
            raise CommandError(f"No partner with the partner id {partner}.")

        def progress(loaded: int) -> None:
            if loaded % PROGRESS_EVERY == 0:
                self.stdout.write(f"  {loaded:,} events")

        result = events_seed(
            partner=owner, events=events, days=days, customers=customers, seed=seed,
            progress=progress,
        )
        self.stdout.write(self.style.SUCCESS(
            f"{result.events:,} events for {owner} in {result.seconds:.1f} s "
            f"({result.rows_per_second:,.0f} rows/s, {result.method})"
        ))
