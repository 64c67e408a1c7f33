"""Encrypt the TOTP secrets and recovery-code seeds stored before partners.mfa_adapter existed.

Both directions leave a value that is already as wanted alone, so either can run again. Going
back stores the secrets in plain text again: only for returning to allauth's default adapter.
"""

from django.db import migrations

from partners.mfa_adapter import mfa_secret_decrypt, mfa_secret_encrypt, mfa_secret_is_encrypted

# Where allauth keeps secrets in Authenticator.data, by type ("migrated_codes" is a list).
_SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed", "migrated_codes")}


def _encrypted(value: str) -> str:
    return value if mfa_secret_is_encrypted(value) else mfa_secret_encrypt(value)


def _plain(value: str) -> str:
    return mfa_secret_decrypt(value) if mfa_secret_is_encrypted(value) else value


def _rewrite_secrets(apps, convert) -> None:
    authenticator_model = apps.get_model("mfa", "Authenticator")
    for authenticator in authenticator_model.objects.filter(type__in=_SECRET_FIELDS).iterator():
        data = dict(authenticator.data)
        for field in _SECRET_FIELDS[authenticator.type]:
            value = data.get(field)
            if isinstance(value, str):
                data[field] = convert(value)
            elif isinstance(value, list):
                data[field] = [convert(item) for item in value]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_mfa_secrets(apps, schema_editor) -> None:
    _rewrite_secrets(apps, _encrypted)


def decrypt_mfa_secrets(apps, schema_editor) -> None:
    _rewrite_secrets(apps, _plain)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_mfa_secrets, decrypt_mfa_secrets)]
