from django.core.management.base import BaseCommand

from partners.demo import demo_partners_seed, demo_password


class Command(BaseCommand):
    help = "Create or refresh the demo partners, users and data (safe to run again)."

    def handle(self, *args, **options):
        logins = demo_partners_seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, roles in logins:
            self.stdout.write(f"  {email:<34} {roles}")
        self.stdout.write(f"  password: {demo_password()}")
