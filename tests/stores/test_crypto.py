import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from stores import crypto


def test_secret_round_trips_and_ciphertext_hides_it():
    ciphertext = crypto.encrypt("店铺密码€ 2024")

    assert "店铺" not in ciphertext
    assert crypto.decrypt(ciphertext) == "店铺密码€ 2024"


def test_every_key_decrypts_and_the_first_encrypts(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    sealed_with_old = crypto.encrypt("secret-1")

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(sealed_with_old) == "secret-1"
    resealed = crypto.reencrypt(sealed_with_old)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(resealed) == "secret-1"
    with pytest.raises(crypto.UndecryptableSecret):
        crypto.decrypt(sealed_with_old)


@pytest.mark.parametrize("ciphertext", ["", "not a fernet token", "gAAAAAB€"])
def test_value_no_key_decrypts_raises_a_clear_error(ciphertext):
    with pytest.raises(crypto.UndecryptableSecret) as caught:
        crypto.decrypt(ciphertext)

    assert ciphertext == "" or ciphertext not in str(caught.value)


def test_malformed_key_setting_is_reported(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["short"]

    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        crypto.encrypt("x")


def test_readability_checks_never_return_the_secret(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    sealed_with_old = crypto.encrypt("secret-2")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    assert crypto.is_readable(sealed_with_old) is True
    assert crypto.is_sealed_with_first_key(sealed_with_old) is False
    assert crypto.is_sealed_with_first_key(crypto.reencrypt(sealed_with_old)) is True
    for garbage in ("", "not a fernet token", "gAAAAAB€"):
        assert crypto.is_readable(garbage) is False
        assert crypto.is_sealed_with_first_key(garbage) is False
