"""A real worker process renews tokens through the configured broker.

In CI the broker is Redis and the database PostgreSQL; on the embedded
defaults they are kombu's filesystem transport and SQLite.
"""

from datetime import timedelta

import pytest
from django.conf import settings

from stores import tasks
from stores.lifecycle import StoreStatus
from stores.models import Store

from .stores.factories import make_store
from .workers import start_worker, stop_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


# threads is what `make run` starts; gevent is what the README deploys.
@pytest.mark.parametrize("pool", ["threads", "gevent"])
def test_worker_renews_due_stores_queued_by_the_sweep(
    team, simulator_control, tmp_path, pool
):
    due = make_store(team, login="demo-shop-api", expires_in=timedelta(minutes=30))
    fresh = make_store(
        team,
        login="second-shop-api",
        password="Second-2024!",
        expires_in=timedelta(hours=40),
    )
    worker = start_worker(tmp_path / "worker.log", pool=pool, concurrency=4)
    try:
        assert tasks.queue_due_renewals() == 1
        renewed = wait_until(
            lambda: (
                Store.objects.get(pk=due.pk).token_expires_at
                > due.token_expires_at + timedelta(hours=40)
            ),
            timeout=40,
        )
    finally:
        stop_worker(worker)

    log = (tmp_path / "worker.log").read_text()
    assert renewed, log
    assert Store.objects.get(pk=due.pk).status == StoreStatus.ACTIVE
    assert Store.objects.get(pk=fresh.pk).token_expires_at == fresh.token_expires_at
    assert simulator_control.token_requests("demo-shop-api") == 1
    assert "Demo-2024!" not in log
    print("broker:", settings.CELERY_BROKER_URL.split("://")[0])
