"""Embedded defaults kept in a git-ignored folder for a machine with no config.

When nothing is configured the dashboard still has to start, so a secret key
and a Fernet key are generated once and kept beside the SQLite database. They
are written with owner-only permissions and never leave that folder.
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def ensure_local_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def read_or_create_secret(path: Path, make_secret) -> str:
    """Return the secret kept at ``path``, creating it on first use."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    ensure_local_dir(path.parent)
    value = make_secret()
    # O_EXCL: two processes starting together must not both write a key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def make_django_secret_key() -> str:
    return secrets.token_urlsafe(50)


def make_fernet_key() -> str:
    return Fernet.generate_key().decode()
