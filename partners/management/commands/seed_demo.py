from django.core.management.base import BaseCommand
from django.utils import timezone

from catalog.demo import demo_catalog_seed
from invoices.periods import Month
from invoices.sweeps import invoices_close
from orders.demo import demo_orders_seed
from partners.demo import demo_partners_seed, demo_password


class Command(BaseCommand):
    help = "Create or refresh the demo partners, users and data (safe to run again)."

    def handle(self, *args, **options):
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
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, roles in logins:
            self.stdout.write(f"  {email:<34} {roles}")
        self.stdout.write(f"  password: {demo_password()}")
