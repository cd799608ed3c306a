from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stores import credentials, crypto, tasks
from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import StoreEvent
from stores.services import renewal
from stores.services.renewal import RenewalOutcome

from .factories import make_store

DUE = timedelta(minutes=90)
NOT_DUE = timedelta(hours=30)


def due_ids() -> list[int]:
    return [pk for batch in renewal.mark_due_stores() for pk in batch]


def test_sweep_picks_stores_without_token_or_inside_the_margin(team):
    due = make_store(team, login="due-api", expires_in=DUE)
    missing = make_store(team, login="missing-api", expires_in=None)
    expired = make_store(
        team, login="expired-api", expires_in=-DUE, status=StoreStatus.EXPIRED
    )
    make_store(team, login="fresh-api", expires_in=NOT_DUE)
    make_store(team, login="paused-api", expires_in=DUE, status=StoreStatus.PAUSED)
    make_store(
        team,
        login="rejected-api",
        expires_in=DUE,
        status=StoreStatus.NEEDS_REAUTHORIZATION,
    )

    assert sorted(due_ids()) == sorted([due.pk, missing.pk, expired.pk])


def test_a_second_sweep_does_not_queue_the_same_stores_again(team):
    make_store(team, login="due-api", expires_in=DUE)

    assert len(due_ids()) == 1
    assert due_ids() == []


def test_sweep_works_in_bounded_batches(team):
    stores = [make_store(team, login=f"s{i}-api", expires_in=DUE) for i in range(5)]

    batches = list(renewal.mark_due_stores(batch_size=2))

    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert sorted(pk for batch in batches for pk in batch) == [s.pk for s in stores]


def test_renewal_tasks_are_sent_only_after_the_transaction_commits(
    team, queued_renewals, django_capture_on_commit_callbacks
):
    store = make_store(team, expires_in=DUE)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        tasks.queue_due_renewals()
        assert queued_renewals == []

    assert len(callbacks) == 1
    assert queued_renewals == [((store.pk,), {})]


def test_nothing_is_sent_when_the_sweep_transaction_rolls_back(
    team, queued_renewals, django_capture_on_commit_callbacks
):
    make_store(team, expires_in=DUE)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tasks.queue_due_renewals()
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert queued_renewals == []


def test_forced_renewals_send_store_ids_only(
    team, queued_renewals, django_capture_on_commit_callbacks
):
    store = make_store(team, expires_in=NOT_DUE)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_forced_renewals([store.pk])

    assert queued_renewals == [((store.pk,), {"force": True, "requested_by": None})]


def test_due_store_is_renewed_with_a_new_encrypted_token(team, simulator_control):
    store = make_store(team, expires_in=DUE)

    outcome = renewal.renew_store_token(store.pk)

    store.refresh_from_db()
    assert outcome == RenewalOutcome.RENEWED
    assert store.status == StoreStatus.ACTIVE
    assert store.token_expires_at > timezone.now() + timedelta(hours=47)
    assert crypto.decrypt(store.token_ciphertext) != "0123456789abcdef0123456789abcdef"
    assert simulator_control.token_requests("demo-shop-api") == 1
    assert StoreEvent.objects.get().kind == LifecycleEvent.RENEWED


def test_renewal_uses_at_most_four_queries(team, simulator_url):
    store = make_store(team, expires_in=DUE)

    with CaptureQueriesContext(connection) as queries:
        renewal.renew_store_token(store.pk)

    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) <= 4, statements


def test_store_not_due_is_left_alone_unless_forced(team, simulator_control):
    store = make_store(team, expires_in=NOT_DUE)

    assert renewal.renew_store_token(store.pk) == RenewalOutcome.SKIPPED
    assert simulator_control.token_requests("demo-shop-api") == 0
    assert renewal.renew_store_token(store.pk, force=True) == RenewalOutcome.RENEWED


def test_rejected_password_stops_renewal_after_one_request(team, simulator_control):
    store = make_store(team, password="changed-by-seller-1", expires_in=DUE)

    first = renewal.renew_store_token(store.pk)
    again = renewal.renew_store_token(store.pk, force=True)

    store.refresh_from_db()
    assert (first, again) == (RenewalOutcome.REJECTED, RenewalOutcome.SKIPPED)
    assert store.status == StoreStatus.NEEDS_REAUTHORIZATION
    assert simulator_control.token_requests("demo-shop-api") == 1
    assert due_ids() == []
    # The old token is kept: it stays valid until its own expiry.
    assert store.token_ciphertext


def test_outage_keeps_the_old_token_and_backs_off(team, simulator_control):
    store = make_store(team, expires_in=DUE)
    old_token = store.token_ciphertext
    simulator_control.set_global(token_behaviour="unavailable")

    outcome = renewal.renew_store_token(store.pk)

    store.refresh_from_db()
    assert outcome == RenewalOutcome.RETRY_LATER
    assert store.status == StoreStatus.RENEWAL_FAILING
    assert store.token_ciphertext == old_token
    assert store.renewal_failures == 1
    assert store.next_attempt_at > timezone.now()
    assert due_ids() == []


def test_outage_after_expiry_marks_the_store_expired_not_rejected(
    team, simulator_control
):
    store = make_store(team, expires_in=-timedelta(minutes=5))
    simulator_control.set_global(token_behaviour="unavailable")

    renewal.renew_store_token(store.pk)

    store.refresh_from_db()
    assert store.status == StoreStatus.EXPIRED


def test_html_answer_is_retried_later_not_taken_as_rejection(team, simulator_control):
    store = make_store(team, login="html-api", expires_in=DUE)

    assert renewal.renew_store_token(store.pk) == RenewalOutcome.RETRY_LATER


def test_retry_delays_grow_and_are_capped(settings):
    settings.TOKEN_RETRY_BASE_DELAY = timedelta(seconds=60)
    settings.TOKEN_RETRY_MAX_DELAY = timedelta(seconds=600)

    delays = [renewal.retry_delay(n).total_seconds() for n in (1, 2, 3, 10)]

    assert 48 <= delays[0] <= 72
    assert 96 <= delays[1] <= 144
    assert 192 <= delays[2] <= 288
    assert 480 <= delays[3] <= 720


def test_claimed_store_is_not_renewed_twice(team, simulator_control):
    store = make_store(team, expires_in=DUE)
    now = timezone.now()
    assert renewal.claim_store(store.pk, force=False, now=now)

    assert renewal.renew_store_token(store.pk) == RenewalOutcome.SKIPPED
    assert simulator_control.token_requests("demo-shop-api") == 0


def test_lease_of_a_crashed_worker_is_taken_over_after_it_expires(
    team, simulator_control, settings
):
    store = make_store(team, expires_in=DUE)
    long_ago = timezone.now() - settings.TOKEN_RENEWAL_LEASE - timedelta(seconds=1)
    renewal.claim_store(store.pk, force=False, now=long_ago)

    assert renewal.renew_store_token(store.pk) == RenewalOutcome.RENEWED


def test_renewal_that_lost_its_claim_writes_nothing(
    team, simulator_control, monkeypatch
):
    store = make_store(team, expires_in=DUE)
    legacy = credentials.client_for(store.credential_kind)
    real_issue = legacy.issue_token

    def another_worker_takes_over(store_being_renewed):
        token = real_issue(store_being_renewed)
        type(store).objects.filter(pk=store.pk).update(claim_id="someone-else")
        return token

    monkeypatch.setattr(legacy, "issue_token", another_worker_takes_over)

    assert renewal.renew_store_token(store.pk) == RenewalOutcome.LOST_CLAIM
    store.refresh_from_db()
    assert crypto.decrypt(store.token_ciphertext) == "0123456789abcdef0123456789abcdef"


def test_stored_expiry_never_moves_backwards(team, simulator_url, monkeypatch):
    store = make_store(team, expires_in=timedelta(hours=60))

    assert renewal.renew_store_token(store.pk, force=True) == RenewalOutcome.LOST_CLAIM
    store.refresh_from_db()
    assert store.token_expires_at > timezone.now() + timedelta(hours=59)


def test_paused_store_is_never_renewed_even_by_a_queued_task(team, simulator_control):
    store = make_store(team, expires_in=DUE, status=StoreStatus.PAUSED)

    assert renewal.renew_store_token(store.pk, force=True) == RenewalOutcome.SKIPPED
    assert simulator_control.token_requests("demo-shop-api") == 0


def test_deleted_store_is_skipped(db):
    assert renewal.renew_store_token(987654) == RenewalOutcome.SKIPPED


def test_unreadable_password_needs_reauthorization(team, simulator_control):
    store = make_store(team, expires_in=DUE)
    type(store).objects.filter(pk=store.pk).update(password_ciphertext="garbage")

    assert renewal.renew_store_token(store.pk) == RenewalOutcome.REJECTED
    store.refresh_from_db()
    assert store.status == StoreStatus.NEEDS_REAUTHORIZATION
    assert simulator_control.token_requests("demo-shop-api") == 0


def test_renewal_logs_outcome_with_store_id_and_no_secret(team, simulator_url, caplog):
    store = make_store(team, expires_in=DUE)

    with caplog.at_level("INFO", logger="stores.services.renewal"):
        renewal.renew_store_token(store.pk)

    store.refresh_from_db()
    token = crypto.decrypt(store.token_ciphertext)
    assert f"outcome=renewed store_id={store.pk}" in caplog.text
    assert token not in caplog.text and "Demo-2024!" not in caplog.text


def test_sweep_sends_due_stores_in_groups(
    team, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from stores import tasks as task_module

    settings.TOKEN_RENEWAL_GROUP_SIZE = 2
    groups = []
    monkeypatch.setattr(task_module.renew_store_tokens, "delay", groups.append)
    stores = [make_store(team, login=f"g{i}-api", expires_in=DUE) for i in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.queue_due_renewals() == 5

    assert [len(group) for group in groups] == [2, 2, 1]
    assert sorted(pk for group in groups for pk in group) == [s.pk for s in stores]


def test_a_group_renews_each_store_under_its_own_claim(team, simulator_control):
    from stores import tasks as task_module

    due = make_store(team, login="demo-shop-api", expires_in=DUE)
    paused = make_store(
        team, login="second-shop-api", expires_in=DUE, status=StoreStatus.PAUSED
    )

    task_module.renew_store_tokens([due.pk, paused.pk, 424242])

    due.refresh_from_db()
    assert due.token_expires_at > timezone.now() + timedelta(hours=47)
    assert simulator_control.token_requests("demo-shop-api") == 1
    assert simulator_control.token_requests("second-shop-api") == 0


def test_a_failed_early_renewal_is_retried_after_its_backoff(team, simulator_control):
    store = make_store(team, expires_in=timedelta(hours=40))
    simulator_control.set_global(token_behaviour="unavailable")
    renewal.renew_store_token(store.pk, force=True)
    store.refresh_from_db()
    assert store.status == StoreStatus.RENEWAL_FAILING
    assert due_ids() == []

    backoff_over = store.next_attempt_at + timedelta(seconds=1)

    assert store.pk in [
        pk for batch in renewal.mark_due_stores(backoff_over) for pk in batch
    ]


def test_a_firewall_page_is_an_outage_not_a_rejected_password(team, simulator_control):
    store = make_store(team, login="firewall-api", expires_in=DUE)

    outcome = renewal.renew_store_token(store.pk)

    store.refresh_from_db()
    assert outcome == RenewalOutcome.RETRY_LATER
    assert store.status == StoreStatus.RENEWAL_FAILING


def test_a_store_that_cannot_be_renewed_does_not_stop_its_group(
    team, simulator_control, monkeypatch
):
    from django.core.exceptions import ImproperlyConfigured

    broken = make_store(team, login="demo-shop-api", expires_in=DUE)
    fine = make_store(
        team, login="second-shop-api", password="Second-2024!", expires_in=DUE
    )
    real_issue_token = credentials.LegacyCredentialClient.issue_token

    def issue_token(client, store):
        # As for a store whose environment is no longer configured.
        if store.pk == broken.pk:
            raise ImproperlyConfigured("CDISCOUNT_SIMULATOR_URL is not set.")
        return real_issue_token(client, store)

    monkeypatch.setattr(credentials.LegacyCredentialClient, "issue_token", issue_token)

    tasks.renew_store_tokens([broken.pk, fine.pk])

    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.status == StoreStatus.RENEWAL_FAILING
    assert broken.claim_id == ""
    assert "ImproperlyConfigured" in broken.status_reason
    assert fine.token_expires_at > timezone.now() + timedelta(hours=47)


def test_a_renewal_a_person_asked_for_names_them_in_the_history(
    team, member, simulator_control
):
    store = make_store(team, expires_in=timedelta(hours=40))

    tasks.renew_store_token(store.pk, force=True, requested_by=member.pk)

    event = StoreEvent.objects.get(store=store, kind=LifecycleEvent.RENEWED)
    assert event.actor == member


def test_a_renewal_asked_for_by_a_deleted_person_still_runs(team, simulator_control):
    store = make_store(team, expires_in=timedelta(hours=40))

    outcome = renewal.renew_store_token(store.pk, force=True, requested_by=987654)

    assert outcome == RenewalOutcome.RENEWED
    assert StoreEvent.objects.get(store=store).actor is None
