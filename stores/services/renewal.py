"""Keep legacy tokens alive: find the stores that are due, and renew one.

The shape follows what holds on both SQLite and PostgreSQL: a short UPDATE
claims the store with a lease, the call to Cdiscount runs with no transaction
open, and the result is written only if the claim is still ours. Cdiscount
tokens coexist, so a renewal that lost its claim simply drops its token.
"""

import logging
import random
import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from stores import crypto
from stores.cdiscount.errors import (
    CredentialsRejected,
    ServiceUnavailable,
    UnexpectedAnswer,
)
from stores.cdiscount.token_service import IssuedToken
from stores.credentials import client_for
from stores.lifecycle import (
    RENEWABLE_STATUSES,
    RETRYING_STATUSES,
    LifecycleEvent,
    status_after,
    status_after_outage,
)
from stores.models import Store, StoreEvent, SweepHeartbeat
from stores.services.events import record_event
from stores.services.notifications import notify_reauthorization_needed

logger = logging.getLogger(__name__)


SWEEP_HEARTBEAT = "token-sweep"


def record_sweep(now: datetime | None = None) -> None:
    """Note that a sweep ran, for /healthz."""
    SweepHeartbeat.objects.update_or_create(
        name=SWEEP_HEARTBEAT, defaults={"last_run_at": now or timezone.now()}
    )


class RenewalOutcome(StrEnum):
    RENEWED = "renewed"
    SKIPPED = "skipped"
    LOST_CLAIM = "lost_claim"
    REJECTED = "credentials_rejected"
    RETRY_LATER = "retry_later"


def is_unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def renewal_time(issued_at: datetime, expires_at: datetime) -> datetime:
    """When to renew a token: the renewal margin before it expires.

    A token shorter-lived than three margins (Octopia's last about 2 hours)
    is renewed a third of its life before expiry instead, so that it is not
    due the moment it is issued.
    """
    margin = min(settings.TOKEN_RENEWAL_MARGIN, (expires_at - issued_at) / 3)
    return expires_at - margin


def is_due(now: datetime) -> Q:
    """Renewable, and either due for renewal or retrying; not backing off.

    A store whose last attempt failed is retried once its backoff is over,
    even when its renewal time is still ahead (a renewal asked for early by
    a person), so that it does not sit in "renewal failing" for two days.
    """
    renewal_time_reached = Q(token_renew_at__isnull=True) | Q(token_renew_at__lte=now)
    retrying = Q(status__in=RETRYING_STATUSES)
    backoff_over = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (
        Q(status__in=RENEWABLE_STATUSES)
        & (renewal_time_reached | retrying)
        & backoff_over
    )


def mark_due_stores(now: datetime | None = None, batch_size: int | None = None):
    """Yield batches of ids of due stores, each marked as queued.

    Marking is a conditional UPDATE, so two sweeps running at once (two beat
    processes, or beat and ``refresh_tokens``) never both get the same store.
    A mark lasts one sweep interval: a task lost with its worker is queued
    again by a later sweep.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.TOKEN_SWEEP_BATCH_SIZE
    not_queued = Q(queued_until__isnull=True) | Q(queued_until__lt=now)
    candidates = Store.objects.filter(is_due(now) & not_queued & is_unclaimed(now))
    while True:
        ids = list(
            candidates.order_by("token_renew_at").values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not ids:
            return
        mark = uuid.uuid4().hex
        Store.objects.filter(Q(pk__in=ids) & not_queued).update(
            queued_until=now + settings.TOKEN_SWEEP_INTERVAL, sweep_mark=mark
        )
        won = list(Store.objects.filter(sweep_mark=mark).values_list("pk", flat=True))
        if won:
            yield won
        if len(ids) < batch_size:
            return


def claim_store(store_id: int, *, force: bool, now: datetime) -> str | None:
    """Take the renewal lease on a store; return the claim id, or None."""
    claim_id = uuid.uuid4().hex
    condition = Q(pk=store_id, status__in=RENEWABLE_STATUSES) & is_unclaimed(now)
    if not force:
        condition &= is_due(now)
    claimed = Store.objects.filter(condition).update(
        claim_id=claim_id, claimed_until=now + settings.TOKEN_RENEWAL_LEASE
    )
    return claim_id if claimed else None


def retry_delay(failures: int) -> timedelta:
    """Jittered exponential backoff, so stores failing together spread out."""
    base = settings.TOKEN_RETRY_BASE_DELAY.total_seconds()
    ceiling = settings.TOKEN_RETRY_MAX_DELAY.total_seconds()
    delay = min(ceiling, base * 2 ** max(failures - 1, 0))
    # Jitter for retry delays, not cryptography.
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311


def renew_store_token(
    store_id: int, *, force: bool = False, requested_by: int | None = None
) -> RenewalOutcome:
    """Renew one store's token if it is due (or ``force``) and nobody else is.

    At most four queries on the way that matters: claim, read, write, event.
    ``requested_by`` is the user who asked for it, written in the history.
    """
    now = timezone.now()
    claim_id = claim_store(store_id, force=force, now=now)
    if claim_id is None:
        logger.info("token renewal outcome=skipped store_id=%s", store_id)
        return RenewalOutcome.SKIPPED

    store = Store.objects.get(pk=store_id)
    actor_id = _existing_user_id(requested_by)
    release_connection_while_waiting()
    try:
        token = client_for(store.credential_kind).issue_token(store)
    except crypto.UndecryptableSecret as exc:
        reason = f"stored secret unreadable: {exc}"
        return _record_rejection(store, claim_id, reason, actor_id)
    except CredentialsRejected as exc:
        return _record_rejection(store, claim_id, str(exc), actor_id)
    except (ServiceUnavailable, UnexpectedAnswer) as exc:
        return _record_outage(store, claim_id, exc, now, actor_id)
    except Exception as exc:
        # A fault of ours or of this store's set-up (an environment no longer
        # configured, say): retried with backoff like an outage, so that the
        # claim is released and the stores after it are still renewed.
        logger.exception("token renewal crashed store_id=%s", store_id)
        return _record_outage(store, claim_id, exc, now, actor_id)
    return _record_renewal(store, claim_id, token, actor_id)


def release_connection_while_waiting() -> None:
    """Give the database connection back to the pool before calling Cdiscount.

    The call takes from a fraction of a second to the read timeout; holding
    a connection through it would make a worker's concurrency its number of
    database connections. Without a pool (SQLite) there is nothing to give
    back, and inside a transaction the connection must stay.
    """
    if getattr(connection, "pool", None) is not None and not connection.in_atomic_block:
        connection.close()


def _existing_user_id(user_id: int | None) -> int | None:
    # The person may have been deleted since they asked; the history then
    # shows no one rather than failing the renewal.
    if user_id is None:
        return None
    return user_id if get_user_model().objects.filter(pk=user_id).exists() else None


def _owned(store: Store, claim_id: str):
    return Store.objects.filter(pk=store.pk, claim_id=claim_id)


_RELEASED = {"claim_id": "", "claimed_until": None, "queued_until": None}


def _record_renewal(
    store: Store, claim_id: str, token: IssuedToken, actor_id: int | None
) -> RenewalOutcome:
    # The expiry never moves backwards: a slower renewal that finishes after
    # a newer one keeps the newer token. An equal expiry is written: delegated
    # stores copy the times of one shared token, which may not have changed.
    newer = Q(token_expires_at__isnull=True) | Q(token_expires_at__lte=token.expires_at)
    with transaction.atomic():
        written = (
            _owned(store, claim_id)
            .filter(newer)
            .update(
                # Empty for a shared token, which lives in PlatformToken only.
                token_ciphertext=crypto.encrypt(token.value) if token.value else "",
                token_issued_at=token.issued_at,
                token_expires_at=token.expires_at,
                token_renew_at=renewal_time(token.issued_at, token.expires_at),
                last_renewed_at=token.issued_at,
                status=status_after(LifecycleEvent.RENEWED),
                status_reason="",
                renewal_failures=0,
                next_attempt_at=None,
                updated_at=token.issued_at,
                **_RELEASED,
            )
        )
        if not written:
            # Someone else's claim, or a newer token already stored: ours is
            # dropped (tokens coexist), and our claim, if still held, freed.
            _owned(store, claim_id).update(**_RELEASED)
            logger.warning("token renewal outcome=lost_claim store_id=%s", store.pk)
            return RenewalOutcome.LOST_CLAIM
        record_event(
            team=store.team_id,
            store=store,
            actor_id=actor_id,
            kind=LifecycleEvent.RENEWED,
            outcome=StoreEvent.Outcome.SUCCESS,
            status_after=status_after(LifecycleEvent.RENEWED),
        )
    logger.info(
        "token renewal outcome=renewed store_id=%s expires_at=%s",
        store.pk,
        token.expires_at.isoformat(),
    )
    return RenewalOutcome.RENEWED


def _record_rejection(
    store: Store, claim_id: str, reason: str, actor_id: int | None
) -> RenewalOutcome:
    status = status_after(LifecycleEvent.CREDENTIALS_REJECTED)
    with transaction.atomic():
        written = _owned(store, claim_id).update(
            status=status, status_reason=reason, updated_at=timezone.now(), **_RELEASED
        )
        if written:
            transaction.on_commit(lambda: notify_reauthorization_needed(store))
            record_event(
                team=store.team_id,
                store=store,
                actor_id=actor_id,
                kind=LifecycleEvent.CREDENTIALS_REJECTED,
                outcome=StoreEvent.Outcome.FAILURE,
                status_after=status,
                reason=reason,
            )
    logger.error(
        "token renewal outcome=credentials_rejected store_id=%s reason=%s",
        store.pk,
        reason,
    )
    return RenewalOutcome.REJECTED


def _record_outage(
    store: Store,
    claim_id: str,
    error: Exception,
    now: datetime,
    actor_id: int | None,
) -> RenewalOutcome:
    failures = store.renewal_failures + 1
    next_attempt_at = now + retry_delay(failures)
    status = status_after_outage(store.token_expires_at, now)
    reason = f"{type(error).__name__}: {error}"
    with transaction.atomic():
        written = _owned(store, claim_id).update(
            status=status,
            status_reason=reason,
            renewal_failures=F("renewal_failures") + 1,
            next_attempt_at=next_attempt_at,
            updated_at=now,
            **_RELEASED,
        )
        if written:
            record_event(
                team=store.team_id,
                store=store,
                actor_id=actor_id,
                kind=LifecycleEvent.RENEWAL_FAILED,
                outcome=StoreEvent.Outcome.FAILURE,
                status_after=status,
                reason=reason,
            )
    logger.warning(
        "token renewal outcome=retry_later store_id=%s error=%s failures=%s "
        "next_attempt_at=%s",
        store.pk,
        type(error).__name__,
        failures,
        next_attempt_at.isoformat(),
    )
    return RenewalOutcome.RETRY_LATER
