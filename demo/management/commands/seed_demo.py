from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.catalog import demo_catalog_seed
from demo.dashboard import demo_attention_seed
from demo.orders import demo_orders_seed
from demo.partners import demo_partners_seed, demo_password
from demo.scale import (
    CUSTOMERS_PER_PARTNER,
    ORDERS_PER_CUSTOMER,
    SCALE_EMAIL_DOMAIN,
    demo_scale_seed,
)
from invoices.periods import Month
from invoices.sweeps import invoices_close


class Command(BaseCommand):
    help = "Create or refresh the demo partners, users and data (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            metavar="N",
            help=(
                "1 (the default): the demo alone. N > 1: the demo plus N generated partners, "
                f"each with {CUSTOMERS_PER_PARTNER} customers and "
                f"{CUSTOMERS_PER_PARTNER * ORDERS_PER_CUSTOMER:,} orders placed this month "
                "(1-2 purchases each, keys encrypted), so --scale 200 adds 200 partners, "
                f"{200 * CUSTOMERS_PER_PARTNER:,} customers and "
                f"{200 * CUSTOMERS_PER_PARTNER * ORDERS_PER_CUSTOMER:,} orders. Partners already "
                "generated are kept as they are: running it again, or with a larger N, adds "
                "only the missing ones."
            ),
        )

    def handle(self, *args, scale: int, **options):
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        logins = demo_partners_seed()
        catalogue = demo_catalog_seed()
        self.stdout.write(
            "Demo catalogue: {products} products, {skus} SKUs, {prices} prices, "
            "{variants} software variants.".format(**catalogue)
        )
        sales = demo_orders_seed()
        self.stdout.write(
            "Demo customers: {customers}; orders placed now: {orders}.".format(**sales)
        )
        # Last month's invoice, so the Invoices page has one to show (the worker renders it).
        closed = invoices_close(month=Month.before(timezone.now()), at=timezone.now())
        self.stdout.write(f"Invoices issued for last month: {len(closed.issued)}.")
        attention = demo_attention_seed()
        self.stdout.write(
            "For the dashboards: {closing} purchases closing this week, {links} download links "
            "running out, {requests} support requests waiting on the partner, {credits} credits "
            "waiting for the next invoice added.".format(**attention)
        )
        if scale > 1:
            self._scale(scale)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, roles in logins:
            self.stdout.write(f"  {email:<34} {roles}")
        self.stdout.write(f"  password: {demo_password()}")

    def _scale(self, scale: int) -> None:
        self.stdout.write(f"Scale {scale}: generating the partners not there yet ...")
        result = demo_scale_seed(scale=scale, progress=self.stdout.write)
        self.stdout.write(
            f"Generated partners: {result.partners_present} already there, "
            f"{result.partners_added} added with {result.customers:,} customers, "
            f"{result.orders:,} orders, {result.purchases:,} purchases and {result.keys:,} "
            f"activation keys in {result.seconds:.0f} s."
        )
        if result.partners_added or result.partners_present:
            self.stdout.write(
                f"  their users: globaladmin@, agent@, sales@p<partner number>.{SCALE_EMAIL_DOMAIN}"
            )
