"""The token function other code calls before it calls Cdiscount for a store.

Sync jobs (orders, offers) ask here instead of reading the store row: they
get a token that has time left, renewed first when it has not, and a way to
recover once when Cdiscount says the token does not exist.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from stores import crypto
from stores.cdiscount.errors import CdiscountError, TokenRejected
from stores.credentials import CallCredentials, client_for
from stores.lifecycle import RENEWABLE_STATUSES
from stores.models import Store
from stores.services.renewal import RenewalOutcome, renew_store_token

logger = logging.getLogger(__name__)

# A token with less than this left could expire during the caller's call.
SAFETY_MARGIN = timedelta(minutes=10)

Result = TypeVar("Result")


class TokenUnavailable(CdiscountError):
    """No usable token can be had for this store now; the reason says why."""


def _has_time_left(store: Store) -> bool:
    return bool(
        store.has_token
        and store.token_expires_at
        and store.token_expires_at - timezone.now() > SAFETY_MARGIN
    )


@sensitive_variables("token")
def _credentials_from_row(store: Store) -> CallCredentials:
    # The client knows where the kind keeps its token (the row, or a token
    # shared by all delegated stores).
    client = client_for(store.credential_kind)
    token = client.stored_token(store)
    return client.call_credentials(store, token)


def credentials_for(store_id: int, *, renew: bool = False) -> CallCredentials:
    """Return what a call to Cdiscount for this store needs.

    The stored token is returned while it has more than the safety margin
    left; otherwise (or with ``renew``) it is renewed first, once, under the
    same lease as the background renewal.
    """
    store = Store.objects.get(pk=store_id)
    if store.status not in RENEWABLE_STATUSES:
        raise TokenUnavailable(f"the store is {store.status}")
    if renew or not _has_time_left(store):
        # The issue time tells tokens apart even when the row holds none.
        refused_token = (
            (store.token_ciphertext, store.token_issued_at) if renew else None
        )
        if renew:
            client_for(store.credential_kind).token_refused(store)
        outcome = renew_store_token(store_id, force=True)
        store.refresh_from_db()
        # Skipped means another worker holds the lease: its token will do,
        # unless it is the very token Cdiscount just refused.
        renewed_elsewhere = (store.token_ciphertext, store.token_issued_at) != (
            refused_token
        )
        if outcome != RenewalOutcome.RENEWED and not (
            _has_time_left(store) and renewed_elsewhere
        ):
            raise TokenUnavailable(f"renewal did not give a token ({outcome.value})")
    try:
        return _credentials_from_row(store)
    except crypto.UndecryptableSecret as exc:
        raise TokenUnavailable("the stored token cannot be decrypted") from exc


def call_with_token(store_id: int, call: Callable[[CallCredentials], Result]) -> Result:
    """Run ``call`` with store credentials, renewing once if Cdiscount asks.

    When Cdiscount answers that the token does not exist, the token is
    renewed exactly once and the call retried exactly once; a second refusal
    is raised to the caller rather than looped on.
    """
    try:
        return call(credentials_for(store_id))
    except TokenRejected:
        logger.warning("token refused by Cdiscount store_id=%s renewing once", store_id)
    return call(credentials_for(store_id, renew=True))
