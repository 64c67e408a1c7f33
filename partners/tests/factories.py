import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.roles import Role
from partners.models import Partner, User


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    partner_number = factory.Sequence(lambda n: 5_000_000 + n)
    home_country = "IT"
    billing_currency = "EUR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@partner.example")
    partner = factory.SubFactory(PartnerFactory)
    roles = factory.LazyFunction(lambda: [Role.GLOBAL_ADMIN.value])
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class SupportStaffFactory(UserFactory):
    partner = None
    roles = factory.LazyFunction(list)
    is_support_staff = True
    email = factory.Sequence(lambda n: f"support{n}@portal.example")


def totp_enrol(user: User) -> str:
    """Give the user a TOTP authenticator; return its secret so a test can compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


class PartnerOwnedFactory(factory.django.DjangoModelFactory):
    """For partner-scoped models: saves through the model, not the scoped default manager."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = model_class(*args, **kwargs)
        instance.save(force_insert=True)
        return instance
