from django.core.management.base import BaseCommand

from catalog.demo import demo_catalog_seed
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
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, roles in logins:
            self.stdout.write(f"  {email:<34} {roles}")
        self.stdout.write(f"  password: {demo_password()}")
