"""TOTP secrets and recovery-code seeds at rest: encrypted, still working, rotatable, migrated."""

import importlib
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.test import Client, override_settings

from core.roles import Role
from partners.mfa_adapter import mfa_secret_decrypt
from partners.tests.factories import UserFactory, totp_enrol
from software import crypto as activation_key_crypto

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
MFA_STEP = "/accounts/2fa/authenticate/"
PRIVATE_PAGE = "/settings/api-tokens/"
RECOVERY_SEED = "9f" * 40

migration = importlib.import_module("partners.migrations.0002_encrypt_mfa_secrets")


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _signs_in_with_second_factor(user, code: str) -> bool:
    client = Client()
    assert client.post(LOGIN, {"login": user.email, "password": PASSWORD})["Location"] == MFA_STEP
    client.post(MFA_STEP, {"code": code})
    return client.get(PRIVATE_PAGE).status_code == 200


def _stored(user, kind) -> dict:
    return Authenticator.objects.get(user=user, type=kind).data


@pytest.fixture
def agent(owner_partner):
    return UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])


def test_an_enrolled_totp_secret_is_stored_encrypted_and_still_signs_in(agent):
    secret = totp_enrol(agent)
    stored = _stored(agent, Authenticator.Type.TOTP)["secret"]
    assert secret not in stored and secret.lower() not in stored.lower()
    assert _signs_in_with_second_factor(agent, _totp_code(secret))


def test_enrolling_on_the_page_stores_nothing_in_plain_text_and_recovery_codes_sign_in(agent):
    client = Client()
    client.post(LOGIN, {"login": agent.email, "password": PASSWORD})
    # allauth asks for the password again before changing a second factor.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert secret not in _stored(agent, Authenticator.Type.TOTP)["secret"]
    recovery_codes = client.get("/accounts/2fa/recovery-codes/download/").content.decode().split()
    assert len(recovery_codes) == 10
    seed = _stored(agent, Authenticator.Type.RECOVERY_CODES)["seed"]
    assert not any(code in seed for code in recovery_codes)

    assert _signs_in_with_second_factor(agent, recovery_codes[0])
    assert not _signs_in_with_second_factor(agent, recovery_codes[0]), "a code works only once"
    assert _signs_in_with_second_factor(agent, recovery_codes[1])


def test_a_secret_from_before_a_key_rotation_still_signs_in(agent):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(ACTIVATION_KEY_ENCRYPTION_KEYS=[old_key]):
        secret = totp_enrol(agent)
    stored = _stored(agent, Authenticator.Type.TOTP)["secret"]
    with override_settings(ACTIVATION_KEY_ENCRYPTION_KEYS=[new_key, old_key]):
        assert mfa_secret_decrypt(stored) == secret
        assert _signs_in_with_second_factor(agent, _totp_code(secret))
    for keys_without_the_old_one in ([new_key], []):
        with (
            override_settings(ACTIVATION_KEY_ENCRYPTION_KEYS=keys_without_the_old_one),
            pytest.raises(InvalidToken),
        ):
            mfa_secret_decrypt(stored)


def test_mfa_secrets_and_activation_keys_are_encrypted_under_different_keys(agent):
    secret = totp_enrol(agent)
    stored = _stored(agent, Authenticator.Type.TOTP)["secret"]
    assert mfa_secret_decrypt(stored) == secret
    with pytest.raises(InvalidToken):
        activation_key_crypto.decrypt(stored)


def test_the_migration_encrypts_plain_secrets_and_leaves_encrypted_ones_alone(agent, owner_partner):
    plain_secret = generate_totp_secret()
    Authenticator.objects.create(user=agent, type="totp", data={"secret": plain_secret})
    Authenticator.objects.create(
        user=agent, type="recovery_codes", data={"seed": RECOVERY_SEED, "used_mask": 0}
    )
    enrolled_later = UserFactory(partner=owner_partner, roles=[Role.ADMIN_AGENT.value])
    totp_enrol(enrolled_later)
    already_encrypted = _stored(enrolled_later, Authenticator.Type.TOTP)

    migration.encrypt_mfa_secrets(apps, None)

    migrated = _stored(agent, Authenticator.Type.TOTP)
    assert plain_secret not in migrated["secret"]
    assert RECOVERY_SEED not in _stored(agent, Authenticator.Type.RECOVERY_CODES)["seed"]
    assert _stored(enrolled_later, Authenticator.Type.TOTP) == already_encrypted
    migration.encrypt_mfa_secrets(apps, None)
    assert _stored(agent, Authenticator.Type.TOTP) == migrated, "a second run changes nothing"
    assert _signs_in_with_second_factor(agent, _totp_code(plain_secret))


def test_recovery_codes_from_before_the_migration_still_sign_in(agent):
    Authenticator.objects.create(user=agent, type="totp", data={"secret": generate_totp_secret()})
    Authenticator.objects.create(
        user=agent, type="recovery_codes", data={"seed": RECOVERY_SEED, "used_mask": 0}
    )
    # The codes the user was given: allauth's derivation from the seed it stored.
    given = Authenticator(type="recovery_codes", data={"seed": RECOVERY_SEED, "used_mask": 0})
    with override_settings(MFA_ADAPTER="allauth.mfa.adapter.DefaultMFAAdapter"):
        codes = RecoveryCodes(given).generate_codes()

    migration.encrypt_mfa_secrets(apps, None)

    assert _signs_in_with_second_factor(agent, codes[3])


def test_the_migration_reversed_gives_back_the_plain_secret(agent):
    plain_secret = generate_totp_secret()
    Authenticator.objects.create(user=agent, type="totp", data={"secret": plain_secret})
    migration.encrypt_mfa_secrets(apps, None)
    migration.decrypt_mfa_secrets(apps, None)
    assert _stored(agent, Authenticator.Type.TOTP) == {"secret": plain_secret}


def test_the_migration_refuses_a_secret_under_a_key_no_longer_configured(agent):
    lost_key = Fernet(Fernet.generate_key())
    stored = {"secret": lost_key.encrypt(generate_totp_secret().encode()).decode()}
    Authenticator.objects.create(user=agent, type="totp", data=stored)
    with pytest.raises(ValueError, match="ACTIVATION_KEY_ENCRYPTION_KEYS"):
        migration.encrypt_mfa_secrets(apps, None)
    assert _stored(agent, Authenticator.Type.TOTP) == stored
