"""Renewal at scale: real sweep and real Celery workers against the simulator.

For each N, creates N stores whose tokens are due, makes every token request
to the simulator take L milliseconds, runs the real sweep, lets real workers
with a total concurrency C renew them all, and prints the wall time beside the
ideal N x L / C, their ratio, the SQL queries per renewal and the peak memory
of each worker process. Then prices the sweep itself over a large table of
which 1% is due.

Needs PostgreSQL and Redis (defaults: the local ones this machine runs):

    .venv/bin/python bench/renewal_benchmark.py
    .venv/bin/python bench/renewal_benchmark.py --sizes 1000 --concurrency 50

Nothing here is a test: the numbers depend on the machine and are printed,
measured side by side in one run, to be read.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-2024!"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="store counts N")
    parser.add_argument("--latency-ms", type=int, default=100, help="L per token")
    parser.add_argument("--concurrency", type=int, default=100, help="total C")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--pool", default="gevent", help="Celery worker pool")
    parser.add_argument("--group-size", type=int, default=10, help="stores per task")
    parser.add_argument("--sweep-stores", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/cdauth_bench",
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
    return parser.parse_args()


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def configure_django(arguments, local_dir: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cdauth.settings",
        DJANGO_DEBUG="true",
        DATABASE_URL=arguments.database_url,
        CELERY_BROKER_URL=arguments.broker_url,
        CDAUTH_LOCAL_DIR=local_dir,
        CDAUTH_RENEWAL_GROUP_SIZE=str(arguments.group_size),
        CDAUTH_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class Simulator:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulator", "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        self.url = line.strip().rsplit(" ", 1)[1]

    def control(self, path: str, payload: dict | None = None) -> dict:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.url}/_simulator/{path}",
            data=data,
            headers={"Content-Type": "application/json"},
            method="GET" if data is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def reset_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE stores_storeevent, stores_store, stores_team RESTART IDENTITY "
            "CASCADE"
        )


def create_due_stores(count: int, *, due: int | None = None) -> list[int]:
    """Create ``count`` stores of which ``due`` (default all) need renewal."""
    from datetime import timedelta

    from django.utils import timezone

    from stores import crypto
    from stores.environments import Environment
    from stores.models import Store, Team

    due = count if due is None else due
    team = Team.objects.create(name=f"Bench {count}")
    now = timezone.now()
    password = crypto.encrypt(PASSWORD)
    stores = []
    for number in range(count):
        is_due = number < due
        expires_at = now + (timedelta(minutes=30) if is_due else timedelta(hours=40))
        stores.append(
            Store(
                team=team,
                name=f"Bench store {number}",
                api_login=f"bench{number}-api",
                environment=Environment.SIMULATOR,
                password_ciphertext=password,
                token_ciphertext=password,
                token_issued_at=expires_at - timedelta(hours=48),
                token_expires_at=expires_at,
                token_renew_at=expires_at - timedelta(hours=2),
            )
        )
    Store.objects.bulk_create(stores, batch_size=2000)
    return list(Store.objects.order_by("pk").values_list("pk", flat=True))


def register_accounts(simulator: Simulator, count: int) -> None:
    for start in range(0, count, 5000):
        simulator.control(
            "accounts/bulk",
            {
                "accounts": [
                    {"login": f"bench{number}-api", "password": PASSWORD}
                    for number in range(start, min(count, start + 5000))
                ]
            },
        )


def start_workers(arguments, simulator_url: str, logdir: Path) -> list:
    environment = dict(
        os.environ,
        CDISCOUNT_SIMULATOR_URL=simulator_url,
        CDAUTH_LOG_LEVEL="WARNING",
    )
    per_worker = max(1, arguments.concurrency // arguments.workers)
    workers = []
    for number in range(arguments.workers):
        log = (logdir / f"worker{number}.log").open("w")
        workers.append(
            subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "cdauth", "worker",
                    "--pool", arguments.pool, "--concurrency", str(per_worker),
                    "--without-heartbeat", "--without-mingle", "--without-gossip",
                    "--hostname", f"bench{number}@%h", "--loglevel", "WARNING",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
    time.sleep(4)
    return workers


def peak_memory_mb(process) -> float:
    """Peak resident memory of a worker and its pool children, in MiB."""
    pids = [process.pid]
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    total_kb = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def stop_workers(workers) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def renewed_count(store_ids, started) -> int:
    """How many of the (consecutive) ``store_ids`` hold a fresh token.

    A range rather than a list of ids: this runs every fraction of a second
    beside the workers, and must not steal the CPU they are measured on.
    """
    from datetime import timedelta

    from stores.models import Store

    return Store.objects.filter(
        pk__range=(store_ids[0], store_ids[-1]),
        token_expires_at__gt=started + timedelta(hours=47),
    ).count()


def run_burst(arguments, simulator: Simulator, count: int, logdir: Path) -> dict:
    from django.utils import timezone

    from cdauth.celery import app
    from stores.tasks import queue_due_renewals

    reset_tables()
    app.control.purge()
    simulator.control("reset", {})
    simulator.control("global", {"token_latency_ms": arguments.latency_ms})
    register_accounts(simulator, count)
    store_ids = create_due_stores(count)
    workers = start_workers(arguments, simulator.url, logdir)
    try:
        started = timezone.now()
        clock = time.monotonic()
        queue_due_renewals()
        while renewed_count(store_ids, started) < count:
            if time.monotonic() - clock > 600:
                raise RuntimeError("renewals did not finish in 10 minutes")
            time.sleep(0.05)
        wall = time.monotonic() - clock
        memory = [peak_memory_mb(worker) for worker in workers]
    finally:
        stop_workers(workers)
    ideal = count * arguments.latency_ms / 1000 / arguments.concurrency
    in_flight = simulator.control("stats")["concurrent_token_requests_max"]
    return {
        "n": count,
        "wall": wall,
        "ideal": ideal,
        "memory": memory,
        "in_flight": in_flight,
    }


def queries_per_renewal(simulator: Simulator, sample: int = 50) -> tuple[float, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stores.services.renewal import renew_store_token

    reset_tables()
    register_accounts(simulator, sample)
    store_ids = create_due_stores(sample)
    with CaptureQueriesContext(connection) as queries:
        for store_id in store_ids:
            renew_store_token(store_id)
    verbs = {}
    for query in queries.captured_queries:
        verb = query["sql"].split(None, 1)[0].upper()
        verbs[verb] = verbs.get(verb, 0) + 1
    return len(queries) / sample, {verb: n / sample for verb, n in verbs.items()}


def sweep_cost(total: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stores.services.renewal import mark_due_stores

    reset_tables()
    create_due_stores(total, due=total // 100)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE stores_store")
    clock = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        marked = sum(len(batch) for batch in mark_due_stores())
    elapsed = time.monotonic() - clock
    candidates = queries.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + candidates)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {
        "total": total,
        "marked": marked,
        "seconds": elapsed,
        "queries": len(queries),
        "plan": plan,
    }


def main() -> None:
    arguments = parse_arguments()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    ensure_database(arguments.database_url)
    with tempfile.TemporaryDirectory(prefix="cdauth-bench-") as local_dir:
        configure_django(arguments, local_dir)
        simulator = Simulator()
        from django.conf import settings

        settings.CDISCOUNT_SIMULATOR_URL = simulator.url
        try:
            simulator.control("global", {"token_latency_ms": arguments.latency_ms})
            print(
                f"pool={arguments.pool} workers={arguments.workers} "
                f"C={arguments.concurrency} L={arguments.latency_ms}ms "
                f"group={arguments.group_size}"
            )
            print(f"{'N':>7} {'wall s':>8} {'ideal s':>8} {'ideal/wall':>10} "
                  f"{'max in flight':>13} {'peak MiB per worker':>22}")  # fmt: skip
            for count in sizes:
                result = run_burst(arguments, simulator, count, Path(local_dir))
                memory = " ".join(f"{mb:.0f}" for mb in result["memory"])
                print(
                    f"{result['n']:>7} {result['wall']:>8.2f} {result['ideal']:>8.2f} "
                    f"{result['ideal'] / result['wall']:>10.0%} "
                    f"{result['in_flight']:>13} {memory:>22}",
                    flush=True,
                )
            simulator.control("global", {"token_latency_ms": 0})
            per_renewal, by_verb = queries_per_renewal(simulator)
            detail = ", ".join(f"{verb} {n:g}" for verb, n in sorted(by_verb.items()))
            print(f"SQL statements per renewal: {per_renewal:.2f} ({detail})")
            cost = sweep_cost(arguments.sweep_stores)
            print(
                f"sweep over {cost['total']} stores, {cost['marked']} due: "
                f"{cost['seconds'] * 1000:.0f} ms in {cost['queries']} queries"
            )
            print("plan of the due-store query:\n" + cost["plan"])
        finally:
            simulator.stop()


if __name__ == "__main__":
    main()
