"""Activation keys at rest: a copy of the database alone does not give them away."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection

from software import crypto
from software.tests.links import keys_and_link_issue


@pytest.fixture
def fresh_cipher():
    crypto._cipher.cache_clear()
    yield
    crypto._cipher.cache_clear()


def test_no_column_of_the_key_table_holds_the_key(purchase, variant):
    [key] = keys_and_link_issue(purchase, variant).keys
    assert len(key) >= 25
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM software_activationkey")
        rows = cursor.fetchall()
    assert rows, "the purchase has a stored key"
    stored = " ".join(str(value) for row in rows for value in row)
    assert key not in stored
    assert key.replace("-", "") not in stored.replace("-", "")


def test_a_key_encrypted_before_a_rotation_still_decrypts_after_it(settings, fresh_cipher):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ACTIVATION_KEY_ENCRYPTION_KEYS = [old_key]
    before = crypto.encrypt("VK7JG-NPHTM-C97JM-9MPGT-3V66T")

    crypto._cipher.cache_clear()
    settings.ACTIVATION_KEY_ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(before) == "VK7JG-NPHTM-C97JM-9MPGT-3V66T"
    after = crypto.encrypt("VK7JG-NPHTM-C97JM-9MPGT-3V66T")

    crypto._cipher.cache_clear()
    settings.ACTIVATION_KEY_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(InvalidToken):
        crypto.decrypt(after)


def test_without_the_keys_a_stored_key_cannot_be_read(settings, fresh_cipher):
    settings.ACTIVATION_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    stored = crypto.encrypt("VK7JG-NPHTM-C97JM-9MPGT-3V66T")
    crypto._cipher.cache_clear()
    settings.ACTIVATION_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(InvalidToken):
        crypto.decrypt(stored)
