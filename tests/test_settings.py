"""Settings read in a fresh process, the way the app starts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-enough-9",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DJANGO_ALLOWED_HOSTS": "cdauth.example.com",
}
# Named, not reached: nothing below talks to it.
SHARED_CACHE = {"CACHE_URL": "redis://127.0.0.1:6379/1"}


def run_manage(*args, tmp_path, **environment):
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FIELD_", "DATABASE_", "CDAUTH_", "CACHE_"))
    }
    clean.update(environment, CDAUTH_LOCAL_DIR=str(tmp_path / "local"))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", sorted(set(PRODUCTION) - {"DJANGO_DEBUG"}))
def test_production_refuses_to_start_and_names_the_missing_setting(tmp_path, missing):
    environment = {k: v for k, v in PRODUCTION.items() if k != missing}

    result = run_manage("check", tmp_path=tmp_path, **environment)

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        **PRODUCTION,
        **SHARED_CACHE,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_rate_limits_count_per_process(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION
    )

    assert result.returncode != 0
    assert "stores.W001" in result.stderr


def test_embedded_defaults_generate_keys_once_with_owner_only_permissions(tmp_path):
    first = run_manage("check", tmp_path=tmp_path)
    local = tmp_path / "local"
    keys = {
        name: (local / name).read_text() for name in ("secret_key", "encryption_key")
    }
    second = run_manage("check", tmp_path=tmp_path)

    assert first.returncode == second.returncode == 0, first.stderr
    for name, value in keys.items():
        assert (local / name).stat().st_mode & 0o777 == 0o600
        assert (local / name).read_text() == value
    Fernet(keys["encryption_key"].encode())
