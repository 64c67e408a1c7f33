"""`seed_demo` leaves something in every dashboard panel of the demo partners, and a second run
adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.roles import Role
from core.tenancy import partner_scope
from dashboard.selectors import dashboard_get
from demo.dashboard import demo_attention_seed
from demo.partners import DEMO_PARTNERS
from partners.models import Partner, User


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INVOICE_PDF_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "invoices")},
    }
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("spec", DEMO_PARTNERS, ids=lambda spec: spec.name)
def test_every_panel_of_every_demo_partner_has_something(seeded, spec):
    partner = Partner.objects.get(partner_number=spec.partner_number)
    users = {role: user for user in User.objects.filter(partner=partner)
             for role in user.role_set}
    with partner_scope(partner):
        agent = dashboard_get(user=users[Role.ADMIN_AGENT], at=timezone.now())
        admin = dashboard_get(user=users[Role.GLOBAL_ADMIN], at=timezone.now())
    assert agent.closing.rows and agent.links.rows and agent.support.rows
    assert admin.invoices.last_invoice is not None and admin.invoices.credits.rows
    assert admin.spend.customers.rows and admin.spend.chart.has_data
    charged_months = [c for c in admin.spend.chart.columns if c.figures.charges]
    assert len(charged_months) >= 3, "a year of spend, not one month"
    assert "support requests waiting on the partner" in seeded


@pytest.mark.django_db
def test_seeding_again_the_same_day_adds_nothing(seeded):
    assert demo_attention_seed() == {"closing": 0, "links": 0, "requests": 0, "credits": 0}
