"""Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEYS.

Run after putting a new key first in the list; once a run has finished, the
old key can be removed. Rows are walked by primary key in batches, each read
with a row lock and written in one transaction, so a renewal or a
re-authorization running at the same time is never overwritten with the old
secret. An interrupted run keeps the batches it finished; running it again
skips every secret the first key already opens.

A secret no key opens cannot be rotated: its store is reported by id and
moved to "needs re-authorization", since only a person can enter the
password again. A shared platform token that no key opens is dropped, so
that it is renewed at its next use.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from stores import crypto
from stores.lifecycle import LifecycleEvent, status_after
from stores.models import PlatformToken, Store, StoreEvent
from stores.services.events import record_event

logger = logging.getLogger(__name__)

STORE_SECRET_FIELDS = (
    "password_ciphertext",
    "token_ciphertext",
    "client_secret_ciphertext",
)
PLATFORM_TOKEN_SECRET_FIELDS = ("token_ciphertext",)
UNREADABLE_REASON = (
    "A stored secret can no longer be decrypted: its encryption key is not in "
    "FIELD_ENCRYPTION_KEYS. Enter the credentials again."
)


@dataclass
class RotationCounts:
    """What one run did to one table."""

    rows_rotated: int = 0
    secrets_rotated: int = 0
    secrets_current: int = 0
    unreadable: list = field(default_factory=list)


@dataclass
class RotationReport:
    stores: RotationCounts = field(default_factory=RotationCounts)
    platform_tokens: RotationCounts = field(default_factory=RotationCounts)


def rotate_encryption_keys(
    *, batch_size: int = 500, on_batch: Callable[[str, int], None] | None = None
) -> RotationReport:
    """Re-encrypt every store secret and platform token with the first key.

    ``on_batch(table, rows)`` is called after each batch is committed.
    """
    report = RotationReport()
    tables = [
        (Store, STORE_SECRET_FIELDS, _mark_store_unreadable, report.stores),
        (
            PlatformToken,
            PLATFORM_TOKEN_SECRET_FIELDS,
            _drop_unreadable_platform_token,
            report.platform_tokens,
        ),
    ]
    for model, fields, handle_unreadable, counts in tables:
        _rotate_table(model, fields, handle_unreadable, counts, batch_size, on_batch)
    logger.info(
        "key rotation finished stores_rotated=%s store_secrets_rotated=%s "
        "stores_unreadable=%s platform_tokens_rotated=%s "
        "platform_tokens_unreadable=%s",
        report.stores.rows_rotated,
        report.stores.secrets_rotated,
        len(report.stores.unreadable),
        report.platform_tokens.rows_rotated,
        len(report.platform_tokens.unreadable),
    )
    return report


def _rotate_table(model, fields, handle_unreadable, counts, batch_size, on_batch):
    last_pk = 0
    while True:
        with transaction.atomic():
            # Keyset pagination: each batch starts after the last key seen,
            # so rows added or deleted meanwhile never shift a page.
            rows = list(
                model.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            if not rows:
                return
            last_pk = rows[-1].pk
            _rotate_batch(model, rows, fields, handle_unreadable, counts)
        if on_batch is not None:
            on_batch(model._meta.model_name, len(rows))


def _rotate_batch(model, rows, fields, handle_unreadable, counts) -> None:
    changed_rows = []
    for row in rows:
        rotated, unreadable = _rotate_row(row, fields, counts)
        if unreadable:
            counts.unreadable.append(handle_unreadable(row, unreadable))
        elif rotated:
            counts.rows_rotated += 1
        if rotated:
            changed_rows.append(row)
    if changed_rows:
        model.objects.bulk_update(changed_rows, fields)


def _rotate_row(row, fields, counts) -> tuple[int, list[str]]:
    """Re-encrypt ``row``'s secrets in place; return the count and failures."""
    rotated, unreadable = 0, []
    for name in fields:
        ciphertext = getattr(row, name)
        if not ciphertext:
            continue
        if crypto.is_sealed_with_first_key(ciphertext):
            counts.secrets_current += 1
            continue
        try:
            setattr(row, name, crypto.reencrypt(ciphertext))
        except crypto.UndecryptableSecret:
            unreadable.append(name)
            continue
        rotated += 1
    counts.secrets_rotated += rotated
    return rotated, unreadable


def _mark_store_unreadable(store: Store, fields: list[str]) -> int:
    """Stop renewing ``store`` until a person re-enters its credentials."""
    logger.error(
        "key rotation found unreadable secrets store_id=%s fields=%s",
        store.pk,
        ",".join(fields),
    )
    status = status_after(LifecycleEvent.SECRET_UNREADABLE)
    # A second run must not add a second event for the same finding.
    if store.status == status and store.status_reason == UNREADABLE_REASON:
        return store.pk
    Store.objects.filter(pk=store.pk).update(
        status=status,
        status_reason=UNREADABLE_REASON,
        updated_at=timezone.now(),
    )
    store.status, store.status_reason = status, UNREADABLE_REASON
    record_event(
        team=store.team_id,
        store=store,
        kind=LifecycleEvent.SECRET_UNREADABLE,
        outcome=StoreEvent.Outcome.FAILURE,
        status_after=status,
        reason=UNREADABLE_REASON,
    )
    return store.pk


def _drop_unreadable_platform_token(row: PlatformToken, fields: list[str]) -> str:
    """Forget a shared token no key opens; it is renewed when next needed."""
    logger.error("key rotation dropped unreadable platform token name=%s", row.name)
    PlatformToken.objects.filter(pk=row.pk).update(
        token_ciphertext="", token_renew_at=None
    )
    row.token_ciphertext = ""
    return row.name
