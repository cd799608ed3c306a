from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from stores import crypto, tasks
from stores.cdiscount.errors import ServiceUnavailable, TokenRejected
from stores.environments import Environment
from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import PlatformToken, Store, StoreEvent
from stores.services import renewal, tokens
from stores.services.platform_token import (
    current_platform_token,
    platform_token_name,
    platform_token_refused,
)
from stores.services.renewal import RenewalOutcome

from ..stores.factories import make_store
from .conftest import (
    DELEGATED_SELLER_IDS,
    OWN_CLIENT_ID,
    OWN_SELLER_ID,
    PLATFORM_CLIENT_ID,
)
from .factories import make_delegated_store, make_own_client_store

PLATFORM = platform_token_name("simulator")


def platform_row() -> PlatformToken:
    return PlatformToken.objects.get(name=PLATFORM)


def renew_everything_the_sweep_queues(queued_renewals, capture_on_commit) -> int:
    with capture_on_commit(execute=True):
        tasks.queue_due_renewals()
    for (store_id,), _ in queued_renewals:
        renewal.renew_store_token(store_id)
    return len(queued_renewals)


class TestOwnClient:
    def test_due_store_gets_a_new_token_with_octopias_lifetime(
        self, team, simulator_control
    ):
        simulator_control.change_octopia_client(
            OWN_CLIENT_ID, token_lifetime_seconds=3600
        )
        store = make_own_client_store(team, expires_in=timedelta(minutes=10))

        outcome = renewal.renew_store_token(store.pk)

        store.refresh_from_db()
        assert outcome == RenewalOutcome.RENEWED
        assert store.status == StoreStatus.ACTIVE
        assert store.token_expires_at - store.token_issued_at == timedelta(hours=1)
        # Renewed a third of its life before expiry, not 2 hours (the margin).
        assert store.token_expires_at - store.token_renew_at == timedelta(minutes=20)
        assert crypto.decrypt(store.token_ciphertext) != "old-octopia-token"
        assert simulator_control.octopia_token_requests(OWN_CLIENT_ID) == 1
        assert StoreEvent.objects.get().kind == LifecycleEvent.RENEWED

    def test_store_not_due_is_left_alone(self, team, simulator_control):
        store = make_own_client_store(team, expires_in=timedelta(hours=1, minutes=50))

        assert renewal.renew_store_token(store.pk) == RenewalOutcome.SKIPPED
        assert simulator_control.octopia_token_requests(OWN_CLIENT_ID) == 0

    def test_rejected_secret_stops_renewal_after_one_request(
        self, team, simulator_control
    ):
        simulator_control.change_octopia_client(OWN_CLIENT_ID, behaviour="reject")
        store = make_own_client_store(team, expires_in=timedelta(minutes=10))

        assert renewal.renew_store_token(store.pk) == RenewalOutcome.REJECTED
        assert renewal.renew_store_token(store.pk) == RenewalOutcome.SKIPPED

        store.refresh_from_db()
        assert store.status == StoreStatus.NEEDS_REAUTHORIZATION
        assert "refused the client" in store.status_reason
        assert simulator_control.octopia_token_requests(OWN_CLIENT_ID) == 1

    def test_outage_keeps_the_old_token_and_backs_off(self, team, simulator_control):
        simulator_control.change_octopia_client(OWN_CLIENT_ID, behaviour="unavailable")
        store = make_own_client_store(team, expires_in=timedelta(minutes=10))

        assert renewal.renew_store_token(store.pk) == RenewalOutcome.RETRY_LATER

        store.refresh_from_db()
        assert store.status == StoreStatus.RENEWAL_FAILING
        assert crypto.decrypt(store.token_ciphertext) == "old-octopia-token"
        assert store.next_attempt_at > timezone.now()

    def test_sweep_picks_the_store_from_its_own_expiry(self, team):
        due = make_own_client_store(team, expires_in=timedelta(minutes=30))
        make_own_client_store(
            team, seller_id="100002", expires_in=timedelta(minutes=50)
        )

        marked = [pk for batch in renewal.mark_due_stores() for pk in batch]

        assert marked == [due.pk]


class TestDelegated:
    def test_renewal_fetches_the_shared_token_and_copies_only_its_times(
        self, team, simulator_control
    ):
        store = make_delegated_store(team, seller_id="200001")

        assert renewal.renew_store_token(store.pk) == RenewalOutcome.RENEWED

        store.refresh_from_db()
        platform = platform_row()
        assert store.token_ciphertext == ""
        assert store.has_token
        assert crypto.decrypt(platform.token_ciphertext).startswith("sim.")
        assert (store.token_issued_at, store.token_expires_at) == (
            platform.token_issued_at,
            platform.token_expires_at,
        )
        assert store.token_renew_at == platform.token_renew_at
        assert store.status == StoreStatus.ACTIVE
        assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 1

    def test_500_delegated_stores_cost_one_token_request(
        self,
        team,
        simulator_control,
        queued_renewals,
        django_capture_on_commit_callbacks,
    ):
        stores = [
            make_delegated_store(team, seller_id=f"3{number:05d}")
            for number in range(500)
        ]

        renewed = renew_everything_the_sweep_queues(
            queued_renewals, django_capture_on_commit_callbacks
        )

        assert renewed == 500
        assert simulator_control.stats()["octopia_token_requests"] == {
            PLATFORM_CLIENT_ID: 1
        }
        expiry = platform_row().token_expires_at
        assert set(
            Store.objects.filter(pk__in=[s.pk for s in stores]).values_list(
                "status", "token_expires_at"
            )
        ) == {(StoreStatus.ACTIVE, expiry)}
        assert StoreEvent.objects.filter(kind=LifecycleEvent.RENEWED).count() == 500

    def test_the_shared_token_is_renewed_once_when_it_comes_due(
        self,
        team,
        simulator_control,
        queued_renewals,
        django_capture_on_commit_callbacks,
    ):
        for seller_id in DELEGATED_SELLER_IDS:
            make_delegated_store(team, seller_id=seller_id)
        renew_everything_the_sweep_queues(
            queued_renewals, django_capture_on_commit_callbacks
        )
        first_expiry = platform_row().token_expires_at
        # Time passes: the shared token and its copies come due together.
        due = timezone.now() - timedelta(minutes=1)
        PlatformToken.objects.update(token_renew_at=due)
        Store.objects.update(token_renew_at=due, queued_until=None)
        queued_renewals.clear()

        renewed = renew_everything_the_sweep_queues(
            queued_renewals, django_capture_on_commit_callbacks
        )

        assert renewed == 2
        assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 2
        assert platform_row().token_expires_at > first_expiry
        assert set(Store.objects.values_list("token_expires_at", flat=True)) == {
            platform_row().token_expires_at
        }

    def test_forced_renewal_of_a_fresh_store_asks_octopia_nothing(
        self, team, simulator_control
    ):
        store = make_delegated_store(team, seller_id="200001")
        renewal.renew_store_token(store.pk)

        assert renewal.renew_store_token(store.pk, force=True) == (
            RenewalOutcome.RENEWED
        )
        assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 1

    def test_refused_platform_client_is_retried_later_not_reauthorized(
        self, team, simulator_control, caplog
    ):
        simulator_control.change_octopia_client(PLATFORM_CLIENT_ID, behaviour="reject")
        first = make_delegated_store(team, seller_id="200001")
        second = make_delegated_store(team, seller_id="200002")

        assert renewal.renew_store_token(first.pk) == RenewalOutcome.RETRY_LATER
        assert renewal.renew_store_token(second.pk) == RenewalOutcome.RETRY_LATER

        first.refresh_from_db()
        assert first.status == StoreStatus.EXPIRED
        assert "PlatformClientUnusable" in first.status_reason
        # The platform backs off: the second store did not ask again.
        assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 1
        assert platform_row().next_attempt_at > timezone.now()
        assert any(
            record.levelname == "ERROR" and "credentials_rejected" in record.message
            for record in caplog.records
        )

    def test_unset_platform_client_asks_nobody(self, team, settings, simulator_control):
        settings.OCTOPIA_CLIENT_SECRET = ""
        store = make_delegated_store(team, seller_id="200001")

        assert renewal.renew_store_token(store.pk) == RenewalOutcome.RETRY_LATER

        store.refresh_from_db()
        assert "OCTOPIA_CLIENT_SECRET" in store.status_reason
        assert simulator_control.stats()["octopia_token_requests"] == {}

    def test_outage_keeps_the_shared_token_and_recovers_after_backoff(
        self, team, simulator_control
    ):
        store = make_delegated_store(team, seller_id="200001")
        renewal.renew_store_token(store.pk)
        PlatformToken.objects.update(token_renew_at=timezone.now())
        Store.objects.update(token_renew_at=timezone.now())
        simulator_control.change_octopia_client(
            PLATFORM_CLIENT_ID, behaviour="unavailable"
        )

        assert renewal.renew_store_token(store.pk) == RenewalOutcome.RETRY_LATER
        store.refresh_from_db()
        assert store.status == StoreStatus.RENEWAL_FAILING
        assert platform_row().token_ciphertext

        simulator_control.change_octopia_client(PLATFORM_CLIENT_ID, behaviour="ok")
        PlatformToken.objects.update(next_attempt_at=None)
        assert renewal.renew_store_token(store.pk, force=True) == (
            RenewalOutcome.RENEWED
        )
        store.refresh_from_db()
        assert store.status == StoreStatus.ACTIVE

    def test_a_valid_but_due_token_still_serves_calls_during_an_outage(
        self, team, simulator_control
    ):
        make_delegated_store(team, seller_id="200001")
        current_platform_token("simulator")
        PlatformToken.objects.update(token_renew_at=timezone.now())
        simulator_control.change_octopia_client(
            PLATFORM_CLIENT_ID, behaviour="unavailable"
        )

        assert current_platform_token("simulator").token_ciphertext
        with pytest.raises(ServiceUnavailable):
            current_platform_token("simulator", require_fresh=True)


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_share_one_platform_token_request(simulator_control):
    from stores.models import Team

    team = Team.objects.create(name="Concurrent team")
    simulator_control.change_octopia_client(PLATFORM_CLIENT_ID, token_latency_ms=500)
    store_ids = [
        make_delegated_store(team, seller_id=f"4{number:05d}").pk
        for number in range(24)
    ]

    def renew(store_id):
        try:
            return renewal.renew_store_token(store_id)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(renew, store_ids))

    assert outcomes == [RenewalOutcome.RENEWED] * 24
    assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 1


class TestCredentialsForOtherCode:
    def test_legacy_store_gives_the_token_alone(self, team):
        store = make_store(team)

        credentials = tokens.credentials_for(store.pk)

        assert credentials.token == "0123456789abcdef0123456789abcdef"
        assert credentials.seller_id == ""

    def test_own_client_store_gives_its_token_and_seller_id(self, team):
        store = make_own_client_store(team)

        credentials = tokens.credentials_for(store.pk)

        assert (credentials.token, credentials.seller_id) == (
            "old-octopia-token",
            OWN_SELLER_ID,
        )
        assert "old-octopia-token" not in repr(credentials)

    def test_delegated_store_gives_the_shared_token_and_its_seller_id(
        self, team, simulator_control
    ):
        store = make_delegated_store(team, seller_id="200002")

        credentials = tokens.credentials_for(store.pk)

        assert credentials.seller_id == "200002"
        assert credentials.token == crypto.decrypt(platform_row().token_ciphertext)
        assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 1

    def test_own_client_store_near_expiry_is_renewed_first(
        self, team, simulator_control
    ):
        store = make_own_client_store(team, expires_in=timedelta(minutes=5))

        credentials = tokens.credentials_for(store.pk)

        assert credentials.token != "old-octopia-token"
        assert simulator_control.octopia_token_requests(OWN_CLIENT_ID) == 1

    def test_refused_shared_token_is_replaced_once_and_the_call_retried(
        self, team, simulator_control
    ):
        store = make_delegated_store(team, seller_id="200001")
        tokens.credentials_for(store.pk)
        # The shared token was issued a while ago, then Octopia forgot it.
        PlatformToken.objects.update(
            token_issued_at=timezone.now() - timedelta(minutes=30)
        )
        simulator_control.expire_octopia_tokens(PLATFORM_CLIENT_ID)
        used = []

        def call(credentials):
            used.append(credentials.token)
            if len(used) == 1:
                raise TokenRejected("Octopia refused the token (HTTP 401)")
            return "ok"

        assert tokens.call_with_token(store.pk, call) == "ok"
        assert used[0] != used[1]
        assert simulator_control.octopia_token_requests(PLATFORM_CLIENT_ID) == 2


@pytest.mark.django_db
def test_a_refused_shared_token_is_replaced_even_by_a_shorter_lived_one(
    simulator_control,
):
    current_platform_token(Environment.SIMULATOR)
    refused = platform_row()
    simulator_control.change_octopia_client(
        PLATFORM_CLIENT_ID, token_lifetime_seconds=600
    )
    PlatformToken.objects.update(token_issued_at=timezone.now() - timedelta(hours=1))
    platform_token_refused(Environment.SIMULATOR)

    current_platform_token(Environment.SIMULATOR, require_fresh=True)

    replaced = platform_row()
    assert replaced.token_ciphertext != refused.token_ciphertext
    assert replaced.token_expires_at < refused.token_expires_at
    assert replaced.claim_id == ""


def test_a_renewal_that_finds_a_newer_token_frees_its_claim(team, simulator_url):
    store = make_store(team, expires_in=timedelta(hours=60))

    assert renewal.renew_store_token(store.pk, force=True) == RenewalOutcome.LOST_CLAIM
    store.refresh_from_db()
    assert (store.claim_id, store.claimed_until) == ("", None)
