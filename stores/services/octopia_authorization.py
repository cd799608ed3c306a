"""Authorize an Octopia store, or switch a store to an Octopia kind in place.

The check is the same for both: get a token (the seller's own client, or
cdauth's shared one), then ask ``GET /sellers`` for the SellerId. Nothing is
written unless Octopia knows the seller and lets the client act for it.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from stores import crypto
from stores.cdiscount.errors import (
    CdiscountError,
    SellerNotLinked,
    TokenRejected,
    UnexpectedAnswer,
)
from stores.cdiscount.octopia import (
    OctopiaSeller,
    get_seller,
    octopia_endpoints,
    request_client_token,
)
from stores.cdiscount.token_service import IssuedToken
from stores.lifecycle import LifecycleEvent, status_after
from stores.models import CredentialKind, Store, StoreEvent, Team
from stores.services.authorization import AuthorizationResult, save_authorized_store
from stores.services.events import record_event, record_store_event, store_label
from stores.services.platform_token import (
    current_platform_token,
    platform_token_refused,
)
from stores.services.renewal import renewal_time
from stores.services.same_store import (
    SellerDelegatedToAnotherTeam,
    StoreAlreadyAuthorized,
    hold_team_authorizations,
    legacy_store_with_seller_login,
    refuse_seller_delegated_elsewhere,
)

logger = logging.getLogger(__name__)

OCTOPIA_KINDS = (CredentialKind.OCTOPIA_OWN, CredentialKind.OCTOPIA_DELEGATED)


@dataclass(frozen=True)
class OctopiaCredentials:
    """What a person enters for an Octopia kind (a secret for own client)."""

    kind: str
    seller_id: str
    client_id: str = ""
    client_secret: str = ""

    def __repr__(self) -> str:
        return f"OctopiaCredentials(kind={self.kind!r}, seller_id={self.seller_id!r})"


@dataclass(frozen=True)
class VerifiedOctopiaAccount:
    # For delegated access the token's value is empty: it is the shared one.
    token: IssuedToken
    seller: OctopiaSeller


@sensitive_variables("credentials")
def verify_octopia_account(
    environment: str, credentials: OctopiaCredentials
) -> VerifiedOctopiaAccount:
    """Return a token and the seller, or raise a ``CdiscountError``.

    A token the seller API refuses is replaced once and the call made once
    more; a second refusal is an unexpected answer rather than a loop.
    """
    if credentials.kind == CredentialKind.OCTOPIA_OWN:
        return _verify_own_client(environment, credentials)
    if credentials.kind == CredentialKind.OCTOPIA_DELEGATED:
        return _verify_delegated(environment, credentials.seller_id)
    raise ValueError(f"not an Octopia kind: {credentials.kind!r}")


@sensitive_variables("credentials", "token")
def _verify_own_client(
    environment: str, credentials: OctopiaCredentials
) -> VerifiedOctopiaAccount:
    endpoints = octopia_endpoints(environment)

    def new_token() -> IssuedToken:
        return request_client_token(
            endpoints.token_url, credentials.client_id, credentials.client_secret
        )

    token = new_token()
    try:
        try:
            seller = get_seller(endpoints.api_base, token.value, credentials.seller_id)
        except TokenRejected:
            token = new_token()
            seller = get_seller(endpoints.api_base, token.value, credentials.seller_id)
    except TokenRejected as exc:
        raise UnexpectedAnswer(
            "the Octopia seller API refused a token just issued for this client"
        ) from exc
    except SellerNotLinked:
        raise SellerNotLinked(
            credentials.seller_id, credentials.client_id, delegated=False
        ) from None
    return VerifiedOctopiaAccount(token=token, seller=seller)


@sensitive_variables("token")
def _verify_delegated(environment: str, seller_id: str) -> VerifiedOctopiaAccount:
    endpoints = octopia_endpoints(environment)
    platform = current_platform_token(environment)
    try:
        try:
            token = crypto.decrypt(platform.token_ciphertext)
            seller = get_seller(endpoints.api_base, token, seller_id)
        except TokenRejected:
            platform_token_refused(environment)
            platform = current_platform_token(environment, require_fresh=True)
            token = crypto.decrypt(platform.token_ciphertext)
            seller = get_seller(endpoints.api_base, token, seller_id)
    except TokenRejected as exc:
        raise UnexpectedAnswer(
            "the Octopia seller API refused cdauth's token twice"
        ) from exc
    except SellerNotLinked:
        raise SellerNotLinked(seller_id, platform_client_id(), delegated=True) from None
    issued = IssuedToken(
        value="",
        issued_at=platform.token_issued_at,
        expires_at=platform.token_expires_at,
    )
    return VerifiedOctopiaAccount(token=issued, seller=seller)


def platform_client_id() -> str:
    """The client ID sellers link for delegated access (not a secret)."""
    return settings.OCTOPIA_CLIENT_ID


@sensitive_variables("credentials")
def authorize_octopia_store(
    *,
    team: Team,
    actor,
    name: str,
    environment: str,
    credentials: OctopiaCredentials,
) -> AuthorizationResult:
    """Verify the credentials with Octopia, then create or update the store.

    The same SellerId under the same kind updates that store, like a second
    authorization of a legacy login. The same seller under another kind
    raises ``StoreAlreadyAuthorized``: that store should be switched instead.
    """
    _refuse_if_delegated_elsewhere(team.pk, environment, credentials)
    try:
        account = verify_octopia_account(environment, credentials)
    except CdiscountError as exc:
        logger.info(
            "octopia authorization failed team_id=%s kind=%s error=%s",
            team.pk,
            credentials.kind,
            type(exc).__name__,
        )
        record_event(
            team=team,
            label=store_label(name, "", credentials.seller_id),
            actor=actor,
            kind=LifecycleEvent.AUTHORIZATION_FAILED,
            outcome=StoreEvent.Outcome.FAILURE,
            reason=f"{type(exc).__name__}: {exc}",
        )
        raise

    try:
        result = _save_new_or_same_kind(
            team, actor, name, environment, credentials, account
        )
    except IntegrityError:
        # Another request stored the same SellerId between our lookup and
        # our insert; the second pass finds it.
        result = _save_new_or_same_kind(
            team, actor, name, environment, credentials, account
        )
    logger.info(
        "octopia store authorized store_id=%s team_id=%s kind=%s created=%s",
        result.store.pk,
        team.pk,
        credentials.kind,
        result.created,
    )
    return result


@sensitive_variables("credentials")
def _save_new_or_same_kind(
    team, actor, name, environment, credentials, account
) -> AuthorizationResult:
    with transaction.atomic():
        hold_team_authorizations(team.pk)
        _refuse_if_delegated_elsewhere(team.pk, environment, credentials)
        store = (
            Store.objects.select_for_update()
            .filter(team=team, seller_id=credentials.seller_id)
            .first()
        )
        if store is not None and store.credential_kind != credentials.kind:
            raise StoreAlreadyAuthorized(store, StoreAlreadyAuthorized.SAME_SELLER_ID)
        if store is None:
            legacy = legacy_store_with_seller_login(team, account.seller.login)
            if legacy is not None:
                raise StoreAlreadyAuthorized(legacy, StoreAlreadyAuthorized.SAME_SELLER)
        created = store is None
        if created:
            store = Store(team=team, created_by=actor)
        store.name = name
        store.environment = environment
        _apply_credentials(store, credentials, account)
        return save_authorized_store(store, actor=actor, created=created)


@sensitive_variables("credentials")
def switch_store_kind(*, store: Store, actor, credentials: OctopiaCredentials) -> Store:
    """Move ``store`` to an Octopia kind; its id, name, team and history stay.

    The new credentials are checked first; the old ones stay in force until
    they pass. A renewal running at the same moment loses its claim, so its
    result is dropped rather than written over the new kind.
    """
    _refuse_if_delegated_elsewhere(store.team_id, store.environment, credentials)
    try:
        account = verify_octopia_account(store.environment, credentials)
    except CdiscountError as exc:
        record_store_event(
            store,
            kind=LifecycleEvent.AUTHORIZATION_FAILED,
            outcome=StoreEvent.Outcome.FAILURE,
            actor=actor,
            reason=f"{type(exc).__name__}: {exc}",
        )
        raise

    with transaction.atomic():
        hold_team_authorizations(store.team_id)
        _refuse_if_delegated_elsewhere(store.team_id, store.environment, credentials)
        store = Store.objects.select_for_update().get(pk=store.pk)
        same_seller_id = (
            Store.objects.filter(team_id=store.team_id, seller_id=credentials.seller_id)
            .exclude(pk=store.pk)
            .first()
        )
        if same_seller_id is not None:
            raise StoreAlreadyAuthorized(
                same_seller_id, StoreAlreadyAuthorized.SAME_SELLER_ID
            )
        previous_kind = store.credential_kind
        event = (
            LifecycleEvent.KIND_SWITCHED
            if previous_kind != credentials.kind
            else LifecycleEvent.REAUTHORIZED
        )
        _apply_credentials(store, credentials, account)
        store.status = status_after(event)
        try:
            with transaction.atomic():
                store.save()
        except IntegrityError:
            # Another team delegated the same SellerId at this very moment.
            raise SellerDelegatedToAnotherTeam(credentials.seller_id) from None
        record_store_event(
            store,
            kind=event,
            outcome=StoreEvent.Outcome.SUCCESS,
            actor=actor,
            reason=f"{previous_kind} -> {credentials.kind}",
        )
    logger.info(
        "store credential kind switched store_id=%s from=%s to=%s",
        store.pk,
        previous_kind,
        credentials.kind,
    )
    return store


def octopia_seller_fields(seller: OctopiaSeller) -> dict[str, str]:
    """The store columns that keep what ``GET /sellers`` said."""
    return {
        "shop_name": seller.shop_name,
        "seller_login": seller.login,
        "seller_state": seller.status,
        "seller_availability": "",
    }


def _refuse_if_delegated_elsewhere(
    team_id: int, environment: str, credentials: OctopiaCredentials
) -> None:
    # Checked before Octopia is called, so that another team's seller is not
    # even looked up, and again under the team lock against a race.
    if credentials.kind == CredentialKind.OCTOPIA_DELEGATED:
        refuse_seller_delegated_elsewhere(team_id, environment, credentials.seller_id)


@sensitive_variables("credentials")
def _apply_credentials(
    store: Store, credentials: OctopiaCredentials, account: VerifiedOctopiaAccount
) -> None:
    token = account.token
    store.credential_kind = credentials.kind
    store.seller_id = credentials.seller_id
    if credentials.kind == CredentialKind.OCTOPIA_OWN:
        store.client_id = credentials.client_id
        store.client_secret_ciphertext = crypto.encrypt(credentials.client_secret)
        store.token_ciphertext = crypto.encrypt(token.value)
    else:
        # Delegated: cdauth's own client and its shared token serve the store.
        store.client_id = ""
        store.client_secret_ciphertext = ""
        store.token_ciphertext = ""
    # A switched store keeps its old API login, so that authorizing that
    # login again is caught; the retired password is no longer kept.
    store.password_ciphertext = ""
    store.token_issued_at = token.issued_at
    store.token_expires_at = token.expires_at
    store.token_renew_at = renewal_time(token.issued_at, token.expires_at)
    store.last_renewed_at = token.issued_at
    for field, value in octopia_seller_fields(account.seller).items():
        setattr(store, field, value)
    store.status_reason = ""
    store.renewal_failures = 0
    store.next_attempt_at = None
    store.queued_until = None
    store.claim_id = ""
    store.claimed_until = None
