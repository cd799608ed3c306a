"""Authorize a store: check credentials with Cdiscount and keep them sealed."""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from stores import crypto
from stores.cdiscount.errors import CdiscountError
from stores.lifecycle import LifecycleEvent, status_after
from stores.models import CredentialKind, Store, StoreEvent, Team
from stores.services.events import record_event, record_store_event, store_label
from stores.services.legacy_check import (
    VerifiedAccount,
    seller_fields,
    verify_legacy_account,
)
from stores.services.renewal import renewal_time
from stores.services.same_store import (
    StoreAlreadyAuthorized,
    hold_team_authorizations,
    octopia_store_with_seller_login,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthorizationResult:
    store: Store
    created: bool


def normalize_login(api_login: str) -> str:
    """Drop surrounding spaces; the case is kept but ignored when comparing."""
    return api_login.strip()


@sensitive_variables("api_password")
def authorize_store(
    *,
    team: Team,
    actor,
    name: str,
    api_login: str,
    api_password: str,
    environment: str,
) -> AuthorizationResult:
    """Verify the credentials with Cdiscount, then create or update the store.

    Nothing is written unless Cdiscount accepted the credentials and the
    account is usable; a failure is recorded as an event and raised again.
    """
    api_login = normalize_login(api_login)
    # The calls to Cdiscount happen before any transaction: they can take
    # seconds and must not hold a database lock.
    try:
        account = verify_legacy_account(environment, api_login, api_password)
    except CdiscountError as exc:
        logger.info(
            "store authorization failed team_id=%s error=%s",
            team.pk,
            type(exc).__name__,
        )
        record_event(
            team=team,
            label=store_label(name, api_login),
            actor=actor,
            kind=LifecycleEvent.AUTHORIZATION_FAILED,
            outcome=StoreEvent.Outcome.FAILURE,
            reason=str(exc),
        )
        raise

    try:
        result = _find_and_save_store(
            team, actor, name, api_login, api_password, environment, account
        )
    except IntegrityError:
        # Another request created the same login between our lookup and our
        # insert; the second pass finds it and updates it.
        result = _find_and_save_store(
            team, actor, name, api_login, api_password, environment, account
        )
    logger.info(
        "store authorized store_id=%s team_id=%s created=%s",
        result.store.pk,
        team.pk,
        result.created,
    )
    return result


@sensitive_variables("api_password")
def _find_and_save_store(
    team, actor, name, api_login, api_password, environment, account: VerifiedAccount
) -> AuthorizationResult:
    with transaction.atomic():
        hold_team_authorizations(team.pk)
        store = (
            Store.objects.select_for_update()
            .filter(team=team, api_login__iexact=api_login)
            .first()
        )
        # The same seller under an Octopia kind is reported, never duplicated
        # or quietly switched back to the retired API.
        if store is not None and store.credential_kind != CredentialKind.LEGACY:
            raise StoreAlreadyAuthorized(store, StoreAlreadyAuthorized.SAME_LOGIN)
        if store is None:
            octopia = octopia_store_with_seller_login(team, account.seller.seller_login)
            if octopia is not None:
                raise StoreAlreadyAuthorized(
                    octopia, StoreAlreadyAuthorized.SAME_SELLER
                )
        created = store is None
        if created:
            store = Store(team=team, created_by=actor)
        _apply_credentials(store, name, api_login, api_password, environment, account)
        return save_authorized_store(store, actor=actor, created=created)


def save_authorized_store(store: Store, *, actor, created: bool) -> AuthorizationResult:
    """Save a store whose new credentials passed the check, and say so.

    Called inside the transaction that found or created the store, by every
    credential kind.
    """
    event = LifecycleEvent.AUTHORIZED if created else LifecycleEvent.REAUTHORIZED
    store.status = status_after(event)
    store.save()
    record_store_event(
        store,
        kind=event,
        outcome=StoreEvent.Outcome.SUCCESS,
        actor=actor,
    )
    return AuthorizationResult(store=store, created=created)


@sensitive_variables("api_password")
def _apply_credentials(
    store, name, api_login, api_password, environment, account: VerifiedAccount
) -> None:
    store.name = name
    store.api_login = api_login
    store.environment = environment
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
    store.status_reason = ""
    store.renewal_failures = 0
    store.next_attempt_at = None
    store.queued_until = None
    store.claim_id = ""
    store.claimed_until = None
