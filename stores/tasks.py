"""Celery tasks: thin doors onto the renewal service, taking store ids only."""

import logging

from celery import shared_task
from celery.signals import beat_init
from django.conf import settings

from stores.services import renewal

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def renew_store_token(
    store_id: int, force: bool = False, requested_by: int | None = None
) -> None:
    renewal.renew_store_token(store_id, force=force, requested_by=requested_by)


@shared_task(ignore_result=True)
def renew_store_tokens(store_ids: list[int]) -> None:
    """Renew a group of stores one after the other, each under its own claim.

    A group costs the broker and the worker one task instead of one per
    store, which is what lets a burst of thousands of renewals keep up with
    Cdiscount's latency rather than with Celery's own overhead.
    """
    for store_id in store_ids:
        try:
            renewal.renew_store_token(store_id)
        except Exception:
            # One store must not cost the others of its group their renewal;
            # its claim, if it took one, runs out and a later sweep retries.
            logger.exception("token renewal failed store_id=%s", store_id)


@shared_task(ignore_result=True)
def sweep_due_stores() -> None:
    queued = queue_due_renewals()
    renewal.record_sweep()
    logger.info("token sweep queued=%s", queued)


@beat_init.connect
def sweep_when_beat_starts(sender=None, **kwargs) -> None:
    """Sweep at once rather than one interval after beat starts."""
    sweep_due_stores.delay()


def queue_due_renewals() -> int:
    """Queue due stores in groups, sent only once the transaction commits."""
    group_size = settings.TOKEN_RENEWAL_GROUP_SIZE
    queued = 0
    for store_ids in renewal.mark_due_stores():
        for start in range(0, len(store_ids), group_size):
            renew_store_tokens.delay_on_commit(store_ids[start : start + group_size])
        queued += len(store_ids)
    return queued


def queue_forced_renewals(store_ids, requested_by: int | None = None) -> None:
    """Queue an immediate renewal of each store, as a person asked for.

    ``requested_by`` is that person's user id, for the store's history.
    """
    for store_id in store_ids:
        renew_store_token.delay_on_commit(
            store_id, force=True, requested_by=requested_by
        )
