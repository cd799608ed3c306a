"""Real Celery worker processes for tests, on the broker the settings name."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from cdauth.celery import app

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """The URL of the database the running tests use, for another process."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    user = database.get("USER") or ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    credentials = f"{user}{password}@" if user else ""
    return f"postgres://{credentials}{host}:{port}/{database['NAME']}"


def worker_environment(**overrides) -> dict:
    environment = dict(os.environ)
    environment.update(
        DATABASE_URL=test_database_url(),
        CDISCOUNT_SIMULATOR_URL=settings.CDISCOUNT_SIMULATOR_URL,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        CDAUTH_LOCAL_DIR=str(settings.LOCAL_DIR),
        PYTHONUNBUFFERED="1",
        **overrides,
    )
    return environment


def start_worker(
    log_path: Path, *, concurrency: int = 2, pool: str = "threads", **environment
):
    """Start ``celery worker`` as a subprocess; its output goes to log_path."""
    app.control.purge()
    log = log_path.open("w")
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "cdauth", "worker",
            "--pool", pool, "--concurrency", str(concurrency),
            "--without-heartbeat", "--without-mingle", "--without-gossip",
            "--loglevel", "INFO",
        ],
        cwd=ROOT,
        env=worker_environment(**environment),
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop_worker(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until(condition, *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
