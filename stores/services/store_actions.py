"""What a person does to a store they operate: pause, resume, rename, delete,
re-authorize with a new password, and test the connection.

Each action writes one event naming the person, so the store's timeline says
who did what. Changes are conditional UPDATEs where a renewal might be
running at the same moment, so that neither side silently undoes the other.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from stores import crypto
from stores.cdiscount.errors import CdiscountError
from stores.lifecycle import (
    RENEWABLE_STATUSES,
    LifecycleEvent,
    StoreStatus,
    status_after,
    status_after_resume,
)
from stores.models import CredentialKind, Store, StoreEvent
from stores.services.events import record_event, record_store_event
from stores.services.legacy_check import (
    VerifiedAccount,
    seller_fields,
    verify_legacy_account,
)
from stores.services.octopia_authorization import (
    OctopiaCredentials,
    octopia_seller_fields,
    verify_octopia_account,
)
from stores.services.renewal import renewal_time
from stores.tasks import queue_forced_renewals

logger = logging.getLogger(__name__)

# Taking these away makes a renewal that is running lose its claim, so its
# result is dropped instead of overwriting what the person just did.
_RENEWAL_RELEASED = {"claim_id": "", "claimed_until": None, "queued_until": None}


class ActionNotAllowed(Exception):
    """The store's state does not allow this action; the message says why."""


@dataclass(frozen=True)
class ConnectionTestResult:
    passed: bool
    checked_at: datetime
    error: CdiscountError | None = None
    # Set when the secret could no longer be decrypted: a key was lost.
    secret_unreadable: bool = False


def pause_store(*, store: Store, actor) -> None:
    """Stop renewing the store's token until someone resumes it.

    Only a renewable store can be paused: pausing one whose password was
    rejected, then resuming it, would send the rejected password again.
    """
    now = timezone.now()
    with transaction.atomic():
        paused = Store.objects.filter(
            pk=store.pk, status__in=RENEWABLE_STATUSES
        ).update(
            status=StoreStatus.PAUSED,
            status_reason="",
            next_attempt_at=None,
            updated_at=now,
            **_RENEWAL_RELEASED,
        )
        if not paused:
            raise ActionNotAllowed("only a store that is being renewed can be paused")
        record_event(
            team=store.team_id,
            store=store,
            actor=actor,
            kind=LifecycleEvent.PAUSED,
            outcome=StoreEvent.Outcome.SUCCESS,
            status_after=StoreStatus.PAUSED,
        )
    logger.info("store paused store_id=%s actor_id=%s", store.pk, actor.pk)
    store.refresh_from_db()


def resume_store(*, store: Store, actor) -> StoreStatus:
    """Renew the store again; its status follows from the token it has."""
    now = timezone.now()
    status = status_after_resume(store.token_expires_at, now)
    with transaction.atomic():
        resumed = Store.objects.filter(pk=store.pk, status=StoreStatus.PAUSED).update(
            status=status,
            renewal_failures=0,
            next_attempt_at=None,
            updated_at=now,
            **_RENEWAL_RELEASED,
        )
        if not resumed:
            raise ActionNotAllowed("only a paused store can be resumed")
        record_event(
            team=store.team_id,
            store=store,
            actor=actor,
            kind=LifecycleEvent.RESUMED,
            outcome=StoreEvent.Outcome.SUCCESS,
            status_after=status,
        )
        # A store paused for long has a token that is due or gone: renew it
        # now rather than at the next sweep.
        if store.token_renew_at is None or store.token_renew_at <= now:
            queue_forced_renewals([store.pk], requested_by=actor.pk)
    logger.info(
        "store resumed store_id=%s actor_id=%s status=%s", store.pk, actor.pk, status
    )
    store.refresh_from_db()
    return status


def rename_store(*, store: Store, actor, name: str) -> None:
    old_name = store.name
    if name == old_name:
        return
    with transaction.atomic():
        Store.objects.filter(pk=store.pk).update(name=name, updated_at=timezone.now())
        store.name = name
        record_store_event(
            store,
            kind=LifecycleEvent.RENAMED,
            outcome=StoreEvent.Outcome.SUCCESS,
            actor=actor,
            reason=f"“{old_name}” → “{name}”",
        )
    logger.info("store renamed store_id=%s actor_id=%s", store.pk, actor.pk)


def delete_store(*, store: Store, actor) -> None:
    """Delete the store at once; its events stay, labelled, for the audit.

    A renewal already running finds no row to write to and drops its token.
    """
    store_id = store.pk
    with transaction.atomic():
        record_event(
            team=store.team_id,
            store=store,
            actor=actor,
            kind=LifecycleEvent.DELETED,
            outcome=StoreEvent.Outcome.SUCCESS,
        )
        Store.objects.filter(pk=store_id).delete()
    logger.info("store deleted store_id=%s actor_id=%s", store_id, actor.pk)


@sensitive_variables("api_password")
def reauthorize_store(*, store: Store, actor, api_password: str) -> None:
    """Replace a legacy store's password after Cdiscount accepts the new one.

    The same row is kept, with its name, settings and history; the store is
    active again and renewed as usual. When Cdiscount says no, nothing
    changes but the failure event, and the error is raised again.
    """
    if store.credential_kind != CredentialKind.LEGACY:
        raise ActionNotAllowed("only a store with an API login and password")
    # Cdiscount is called before any transaction: it can take seconds and
    # must not hold a database lock.
    try:
        account = verify_legacy_account(
            store.environment, store.api_login, api_password
        )
    except CdiscountError as error:
        _record_failure(store, actor, LifecycleEvent.AUTHORIZATION_FAILED, error)
        logger.info(
            "store re-authorization failed store_id=%s error=%s",
            store.pk,
            type(error).__name__,
        )
        raise

    with transaction.atomic():
        locked = Store.objects.select_for_update().get(pk=store.pk)
        _keep_new_password(locked, api_password, account)
        locked.save()
        record_store_event(
            locked,
            kind=LifecycleEvent.REAUTHORIZED,
            outcome=StoreEvent.Outcome.SUCCESS,
            actor=actor,
        )
    logger.info("store re-authorized store_id=%s actor_id=%s", store.pk, actor.pk)
    store.refresh_from_db()


@sensitive_variables("api_password")
def _keep_new_password(store: Store, api_password: str, account: VerifiedAccount):
    store.password_ciphertext = crypto.encrypt(api_password)
    store.token_ciphertext = crypto.encrypt(account.token.value)
    store.token_issued_at = account.token.issued_at
    store.token_expires_at = account.token.expires_at
    store.token_renew_at = renewal_time(
        account.token.issued_at, account.token.expires_at
    )
    store.last_renewed_at = account.token.issued_at
    for field, value in seller_fields(account.seller).items():
        setattr(store, field, value)
    store.status = status_after(LifecycleEvent.REAUTHORIZED)
    store.status_reason = ""
    store.renewal_failures = 0
    store.next_attempt_at = None
    for field, value in _RENEWAL_RELEASED.items():
        setattr(store, field, value)


def check_store_connection(*, store: Store, actor) -> ConnectionTestResult:
    """Ask Cdiscount for a token now, and for a legacy store who the seller is.

    The stored password and token are never changed: the fresh token is
    dropped (Cdiscount tokens coexist). When the test passes on a store
    whose renewal is failing, a renewal is queued at once instead of waiting
    for the backoff.
    """
    if store.status == StoreStatus.NEEDS_REAUTHORIZATION:
        # Sending credentials Cdiscount already rejected again is how a
        # seller's account gets locked.
        raise ActionNotAllowed("the stored credentials were rejected")
    error = None
    secret_unreadable = False
    seller = {}
    try:
        seller = _check_with_cdiscount(store)
    except crypto.UndecryptableSecret:
        secret_unreadable = True
    except CdiscountError as exc:
        error = exc
    checked_at = timezone.now()
    passed = error is None and not secret_unreadable
    message = "" if passed else _failure_reason(error)

    with transaction.atomic():
        changes = {
            "last_checked_at": checked_at,
            "last_check_ok": passed,
            "last_check_message": message,
        }
        Store.objects.filter(pk=store.pk).update(**changes, **seller)
        record_store_event(
            store,
            kind=LifecycleEvent.CONNECTION_TESTED,
            outcome=(
                StoreEvent.Outcome.SUCCESS if passed else StoreEvent.Outcome.FAILURE
            ),
            actor=actor,
            reason=message,
        )
        if passed and store.status in (
            StoreStatus.RENEWAL_FAILING,
            StoreStatus.EXPIRED,
        ):
            queue_forced_renewals([store.pk], requested_by=actor.pk)
    logger.info(
        "store connection tested store_id=%s passed=%s error=%s",
        store.pk,
        passed,
        type(error).__name__ if error else "",
    )
    store.refresh_from_db()
    return ConnectionTestResult(
        passed=passed,
        checked_at=checked_at,
        error=error,
        secret_unreadable=secret_unreadable,
    )


@sensitive_variables("password", "credentials")
def _check_with_cdiscount(store: Store) -> dict[str, str]:
    """Run the authorization check again; return what it says of the seller.

    The same check as when the store was authorized: a token, then who the
    seller is (``GetSellerInformation``, or ``GET /sellers`` for Octopia,
    which notices a seller who withdrew cdauth's access).
    """
    if store.credential_kind == CredentialKind.LEGACY:
        password = crypto.decrypt(store.password_ciphertext)
        account = verify_legacy_account(store.environment, store.api_login, password)
        return seller_fields(account.seller)
    credentials = OctopiaCredentials(
        kind=store.credential_kind,
        seller_id=store.seller_id,
        client_id=store.client_id,
        client_secret=(
            crypto.decrypt(store.client_secret_ciphertext)
            if store.credential_kind == CredentialKind.OCTOPIA_OWN
            else ""
        ),
    )
    account = verify_octopia_account(store.environment, credentials)
    return octopia_seller_fields(account.seller)


def _failure_reason(error: CdiscountError | None) -> str:
    if error is None:
        return "stored secret unreadable"
    return f"{type(error).__name__}: {error}"


def _record_failure(store: Store, actor, kind: str, error: CdiscountError) -> None:
    record_store_event(
        store,
        kind=kind,
        outcome=StoreEvent.Outcome.FAILURE,
        actor=actor,
        reason=_failure_reason(error),
    )


def pause_stores(*, stores, actor) -> int:
    """Pause each store that can be paused; return how many were."""
    paused = 0
    for store in stores:
        try:
            pause_store(store=store, actor=actor)
        except ActionNotAllowed:
            continue
        paused += 1
    return paused


def resume_stores(*, stores, actor) -> int:
    """Resume each paused store; return how many were."""
    resumed = 0
    for store in stores:
        try:
            resume_store(store=store, actor=actor)
        except ActionNotAllowed:
            continue
        resumed += 1
    return resumed


def renew_stores(*, stores, actor) -> int:
    """Queue an immediate renewal of each renewable store; return how many."""
    store_ids = [store.pk for store in stores if store.status in RENEWABLE_STATUSES]
    queue_forced_renewals(store_ids, requested_by=actor.pk)
    logger.info(
        "store renewals requested count=%s actor_id=%s", len(store_ids), actor.pk
    )
    return len(store_ids)
