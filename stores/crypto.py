"""Encryption at rest for store secrets: the one place they are decrypted.

Secrets are sealed with ``MultiFernet`` over ``FIELD_ENCRYPTION_KEYS``: the
first key encrypts, every key decrypts, so a new key can be put first and the
old one removed once every row has been re-encrypted.
"""

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables


class UndecryptableSecret(Exception):
    """No configured key decrypts a stored value."""


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys "
            "(32 url-safe base64-encoded bytes each)."
        ) from exc


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


@sensitive_variables("plaintext")
def encrypt(plaintext: str) -> str:
    """Return ``plaintext`` sealed with the first configured key."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


@sensitive_variables("plaintext")
def decrypt(ciphertext: str) -> str:
    """Return the secret in ``ciphertext``, or raise UndecryptableSecret."""
    if not ciphertext:
        raise UndecryptableSecret("there is no stored value to decrypt")
    try:
        plaintext = _fernet().decrypt(ciphertext.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise UndecryptableSecret(
            "no key in FIELD_ENCRYPTION_KEYS decrypts this value"
        ) from None
    return plaintext.decode("utf-8")


def is_readable(ciphertext: str) -> bool:
    """Whether a configured key opens ``ciphertext``; the secret stays here."""
    try:
        _fernet().decrypt(ciphertext.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def is_sealed_with_first_key(ciphertext: str) -> bool:
    """Whether the first key alone opens ``ciphertext``: no need to rotate."""
    try:
        _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS[:1])).decrypt(
            ciphertext.encode("ascii")
        )
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def reencrypt(ciphertext: str) -> str:
    """Return ``ciphertext`` sealed again with the first key, same secret."""
    try:
        return _fernet().rotate(ciphertext.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise UndecryptableSecret(
            "no key in FIELD_ENCRYPTION_KEYS decrypts this value"
        ) from None
