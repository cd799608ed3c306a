"""A small fault-injection deployment: Redis, workers and beats as processes.

Everything runs on loopback: a Redis server of its own on a free port (so
restarting it disturbs nothing else), Celery workers and beat processes that
share the test database, and the test's Cdiscount simulator.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.workers import ROOT, worker_environment

# Short enough for a test, in the same proportions as production: the lease
# outlives a call that times out (connect + read), retries back off, and the
# sweep runs often.
FAST_LIFECYCLE = {
    "CDAUTH_SWEEP_INTERVAL_SECONDS": "1",
    "CDAUTH_RENEWAL_LEASE_SECONDS": "8",
    "CDAUTH_RETRY_BASE_DELAY_SECONDS": "1",
    "CDAUTH_RETRY_MAX_DELAY_SECONDS": "2",
    "CDISCOUNT_CONNECT_TIMEOUT": "1",
    "CDISCOUNT_READ_TIMEOUT": "3",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed; the fault tests need one"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary


class RedisServer:
    """A private, non-persistent Redis that a test may stop and start."""

    def __init__(self, workdir: Path):
        self.binary = redis_server_binary()
        self.port = free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Lose everything queued, as a Redis without persistence does."""
        self.stop()
        self.start()


class Cluster:
    """Workers and beats started by a test, all stopped at the end."""

    def __init__(self, redis: RedisServer, logdir: Path):
        self.redis = redis
        self.logdir = logdir
        self.processes: dict[str, subprocess.Popen] = {}

    def _environment(self) -> dict:
        return worker_environment(CELERY_BROKER_URL=self.redis.url, **FAST_LIFECYCLE)

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = (self.logdir / f"{name}.log").open("a")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cdauth", *argv],
            cwd=ROOT,
            env=self._environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_worker(
        self, name: str, concurrency: int = 4, pool: str = "prefork"
    ) -> subprocess.Popen:
        return self._start(
            name,
            [
                "worker", "--pool", pool, "--concurrency", str(concurrency),
                "--without-heartbeat", "--without-mingle", "--without-gossip",
                "--hostname", f"{name}@%h", "--loglevel", "INFO",
            ],
        )  # fmt: skip

    def start_beat(self, name: str) -> subprocess.Popen:
        schedule = self.logdir / f"{name}-schedule"
        return self._start(
            name, ["beat", "--schedule", str(schedule), "--loglevel", "INFO"]
        )

    def kill(self, name: str) -> None:
        """End a process the hard way, as a crash or an OOM kill would."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-4000:]}"
            for path in sorted(self.logdir.glob("*.log"))
        )
