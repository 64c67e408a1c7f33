"""The demo partners and users that `seed_demo` creates; their e-mails are a contract."""

from __future__ import annotations

import os
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from core.roles import Role
from partners.models import Partner, User

DEFAULT_DEMO_PASSWORD = "demo-portal-2026"


@dataclass(frozen=True)
class DemoPartner:
    name: str
    partner_number: int
    country: str
    currency: str
    language: str
    users: tuple[tuple[str, tuple[Role, ...]], ...]


DEMO_PARTNERS = (
    DemoPartner(
        "Northwind Partners",
        4_100_001,
        "IT",
        "EUR",
        "it",
        (
            ("globaladmin@northwind.example", (Role.GLOBAL_ADMIN,)),
            ("agent@northwind.example", (Role.ADMIN_AGENT,)),
            ("sales@northwind.example", (Role.SALES_AGENT,)),
            ("accounts@northwind.example", (Role.ACCOUNT_ADMIN,)),
            ("billing@northwind.example", (Role.BILLING_ADMIN,)),
            ("referrals@northwind.example", (Role.REFERRAL_ADMIN,)),
            ("marketing@northwind.example", (Role.MARKETING_CONTENT_ADMIN,)),
        ),
    ),
    DemoPartner(
        "Fabrikam Cloud",
        4_100_002,
        "AU",
        "AUD",
        "en",
        (
            ("globaladmin@fabrikam.example", (Role.GLOBAL_ADMIN,)),
            ("agent@fabrikam.example", (Role.ADMIN_AGENT,)),
        ),
    ),
)
DEMO_SUPPORT_EMAIL = "support@portal.example"


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def _demo_user(*, email: str, password: str, **fields) -> User:
    user, _ = User.objects.update_or_create(email=email, defaults=fields)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"primary": True, "verified": True}
    )
    return user


@transaction.atomic
def demo_partners_seed() -> list[tuple[str, str]]:
    """Create or refresh the demo partners and users; return (e-mail, roles) for the banner."""
    password = demo_password()
    logins = []
    for spec in DEMO_PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            partner_number=spec.partner_number,
            defaults={
                "name": spec.name,
                "home_country": spec.country,
                "billing_currency": spec.currency,
                "language": spec.language,
            },
        )
        for email, roles in spec.users:
            _demo_user(
                email=email,
                password=password,
                partner=partner,
                is_active=True,
                roles=[role.value for role in roles],
                full_name=email.split("@")[0].title(),
            )
            logins.append((email, ", ".join(str(role.label) for role in roles)))
    _demo_user(
        email=DEMO_SUPPORT_EMAIL,
        password=password,
        partner=None,
        is_support_staff=True,
        is_staff=True,
        is_superuser=True,
        is_active=True,
        roles=[],
        full_name="Portal Support",
    )
    logins.append((DEMO_SUPPORT_EMAIL, "Support staff (operator; also the admin site)"))
    return logins
