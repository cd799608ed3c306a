"""Fault injection with real workers, beats and a Redis broker.

Each test breaks something (Cdiscount, a worker, Redis, the number of beats)
and then checks the promise the product exists for: once Cdiscount answers
again, every store whose credentials are good has a valid token, and the
token requests per store are exactly what the design says — one successful
request per renewal, plus one per recorded failed attempt.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import Store, StoreEvent
from tests.stores.factories import make_store
from tests.workers import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "Fault-2024!"


def make_due_stores(team, simulator_control, count, *, expires_in, latency_ms=0):
    stores = []
    for number in range(count):
        login = f"fault{number}-api"
        simulator_control.add_account(login, PASSWORD, token_latency_ms=latency_ms)
        stores.append(
            make_store(team, login=login, password=PASSWORD, expires_in=expires_in)
        )
    return stores


def all_renewed(stores) -> bool:
    fresh_after = timezone.now() + timedelta(hours=47)
    return Store.objects.filter(
        pk__in=[store.pk for store in stores],
        status=StoreStatus.ACTIVE,
        token_expires_at__gt=fresh_after,
    ).count() == len(stores)


def events_of(store, kind) -> int:
    return StoreEvent.objects.filter(store_id=store.pk, kind=kind).count()


def assert_requests_match_the_design(stores, simulator_control):
    """One successful request per store, plus one per recorded failure."""
    requests = simulator_control.stats()["token_requests"]
    for store in stores:
        failures = events_of(store, LifecycleEvent.RENEWAL_FAILED)
        assert events_of(store, LifecycleEvent.RENEWED) == 1, store.api_login
        assert requests.get(store.api_login, 0) == failures + 1, store.api_login


def test_token_service_down_longer_than_a_token_lives_then_back(
    team, simulator_control, cluster
):
    stores = make_due_stores(
        team, simulator_control, 12, expires_in=timedelta(seconds=4)
    )
    simulator_control.set_global(token_behaviour="unavailable")
    cluster.start_worker("worker")
    cluster.start_beat("beat")

    ran_out = wait_until(
        lambda: Store.objects.filter(status=StoreStatus.EXPIRED).count() == len(stores),
        timeout=30,
    )
    for outage in ("refuse", "hang"):
        simulator_control.set_global(token_behaviour=outage)
        time.sleep(4)
    rejected = Store.objects.filter(status=StoreStatus.NEEDS_REAUTHORIZATION).count()
    simulator_control.set_global(token_behaviour=None)
    recovered = wait_until(lambda: all_renewed(stores), timeout=40)

    assert ran_out, cluster.logs()
    assert rejected == 0
    assert recovered, cluster.logs()
    assert_requests_match_the_design(stores, simulator_control)


def test_worker_killed_in_the_middle_of_a_renewal(team, simulator_control, cluster):
    (store,) = make_due_stores(
        team, simulator_control, 1, expires_in=timedelta(minutes=30), latency_ms=2000
    )
    cluster.start_worker("first-worker")
    cluster.start_beat("beat")

    # Counted on arrival; the simulator then holds the answer for 2 seconds.
    in_flight = wait_until(
        lambda: simulator_control.token_requests(store.api_login) == 1, timeout=20
    )
    cluster.kill("first-worker")
    cluster.start_worker("second-worker")
    recovered = wait_until(lambda: all_renewed([store]), timeout=40)

    assert in_flight, cluster.logs()
    assert recovered, cluster.logs()
    # The request the dead worker sent is lost with it; exactly one more.
    assert simulator_control.token_requests(store.api_login) == 2, cluster.logs()
    assert events_of(store, LifecycleEvent.RENEWED) == 1


def test_redis_restarted_while_renewals_are_queued(
    team, simulator_control, cluster, redis_broker, settings
):
    from kombu import Connection

    from stores.services.renewal import mark_due_stores
    from stores.tasks import renew_store_token

    settings.TOKEN_SWEEP_INTERVAL = timedelta(seconds=1)
    stores = make_due_stores(
        team, simulator_control, 10, expires_in=timedelta(minutes=30)
    )
    with Connection(redis_broker.url) as broker:
        for batch in mark_due_stores():
            for store_id in batch:
                renew_store_token.apply_async((store_id,), connection=broker)
    with Connection(redis_broker.url) as broker:
        queued = broker.default_channel.client.llen("celery")

    redis_broker.restart()
    cluster.start_worker("worker")
    cluster.start_beat("beat")
    recovered = wait_until(lambda: all_renewed(stores), timeout=60)

    assert queued == len(stores)
    assert recovered, cluster.logs()
    assert_requests_match_the_design(stores, simulator_control)


def test_two_beats_and_two_workers_renew_each_store_once(
    team, simulator_control, cluster
):
    stores = make_due_stores(
        team, simulator_control, 30, expires_in=timedelta(minutes=30), latency_ms=300
    )
    for name in ("beat-a", "beat-b"):
        cluster.start_beat(name)
    for name in ("worker-a", "worker-b"):
        cluster.start_worker(name)

    recovered = wait_until(lambda: all_renewed(stores), timeout=60)
    time.sleep(3)

    assert recovered, cluster.logs()
    requests = simulator_control.stats()["token_requests"]
    assert {store.api_login: requests.get(store.api_login) for store in stores} == {
        store.api_login: 1 for store in stores
    }


def test_two_workers_given_the_same_store_at_the_same_moment(
    team, simulator_control, cluster
):
    from kombu import Connection

    from stores.tasks import renew_store_token

    (store,) = make_due_stores(
        team, simulator_control, 1, expires_in=timedelta(minutes=30), latency_ms=500
    )
    for name in ("worker-a", "worker-b"):
        cluster.start_worker(name)

    with Connection(cluster.redis.url) as broker:
        for _ in range(10):
            renew_store_token.apply_async((store.pk,), connection=broker)
    recovered = wait_until(lambda: all_renewed([store]), timeout=30)
    time.sleep(2)

    assert recovered, cluster.logs()
    assert simulator_control.token_requests(store.api_login) == 1
    assert events_of(store, LifecycleEvent.RENEWED) == 1
