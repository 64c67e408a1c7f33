from django.core.management.base import BaseCommand, CommandError

from core.errors import PortalError
from core.tenancy import partner_scope
from partners.models import User
from partners.services import api_token_issue


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, email, name, days, **options):
        user = User.objects.select_related("partner").filter(email__iexact=email).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user with the e-mail {email}.")
        try:
            with partner_scope(user.partner):
                _token, clear = api_token_issue(actor=user, name=name, days_valid=days)
        except PortalError as error:
            raise CommandError(error.message) from error
        self.stdout.write(clear)
