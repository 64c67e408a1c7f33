from __future__ import annotations

import hashlib
import secrets
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.roles import Role
from core.tenancy import PartnerScopedManager, PartnerScopedQuerySet

CURRENCY_CODE_LENGTH = 3


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=200)
    partner_number = models.PositiveBigIntegerField(
        _("partner id"),
        unique=True,
        validators=[MinValueValidator(1)],
        help_text=_("The numeric partner id (like an MPN id)."),
    )
    home_country = CountryField(_("home country"))
    billing_currency = models.CharField(_("billing currency"), max_length=CURRENCY_CODE_LENGTH)
    language = models.CharField(
        _("document language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner_number})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True, is_support_staff=True)
        return self.create_user(email, password, **fields)


class PartnerMembersManager(PartnerScopedManager):
    """The current partner's users (the default manager stays unscoped for authentication)."""


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    is_support_staff = models.BooleanField(_("support staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    # Empty until the user chooses one: the browser's language decides, else the partner's
    # document language (core.languages.user_language).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Rome")
    cancellation_reminders = models.BooleanField(
        _("cancellation reminders"), default=False,
        help_text=_("E-mail me 7 days and 1 day before a purchase's cancellation window closes."),
    )
    date_joined = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = UserManager()
    members = PartnerMembersManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            # A user is either partner staff or operator support staff, never both or neither.
            models.CheckConstraint(
                condition=(
                    models.Q(partner__isnull=False, is_support_staff=False)
                    | models.Q(partner__isnull=True, is_support_staff=True)
                ),
                name="user_partner_xor_support_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @cached_property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(value) for value in self.roles if value in Role.values)

    def has_role(self, role: Role) -> bool:
        return role in self.role_set

    @property
    def role_labels(self) -> list[str]:
        return [str(role.label) for role in Role if role in self.role_set]


class InvitationQuerySet(PartnerScopedQuerySet):
    def pending(self) -> InvitationQuerySet:
        """Neither accepted nor withdrawn (expired ones included: they can be sent again)."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)


class InvitationManager(PartnerScopedManager.from_queryset(InvitationQuerySet)):
    pass


class Invitation(models.Model):
    """An address a partner's Global admin invited, with the roles it will hold. The user is
    created when the invitee accepts; until then nothing tells the partner whether the address
    already has an account elsewhere (another partner's, or the operator's)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("name"), max_length=200)
    roles = models.JSONField(_("roles"), default=list)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the last invitation e-mail was asked for, and until when its link works.
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The link's token is an HMAC of the invitation and this value, under the SECRET_KEY: a new
    # value on every sending kills every earlier link, and the database alone opens none.
    nonce = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two pending invitations of one address by one partner would be two live links.
            models.UniqueConstraint(
                "partner", Lower("email"),
                condition=models.Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="invitation_one_pending_per_partner_and_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.partner_id})"

    @property
    def role_labels(self) -> list[str]:
        chosen = set(self.roles)
        return [str(role.label) for role in Role if role.value in chosen]

    def is_expired_at(self, at) -> bool:
        return self.expires_at <= at


API_TOKEN_PREFIX = "cspp"


def api_token_digest(secret: str) -> str:
    # The secret carries 256 bits of randomness, so one SHA-256 is enough; no slow hash needed.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    lookup_id = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({API_TOKEN_PREFIX}_{self.lookup_id}_…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @staticmethod
    def new_secret_parts() -> tuple[str, str]:
        return secrets.token_hex(8), secrets.token_urlsafe(32)
