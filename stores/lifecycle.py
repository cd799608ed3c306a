"""The states a store goes through, and which events move it between them.

This table is the single source of truth; docs/token-lifecycle.md draws it.

=====================  =====================================================
status                 meaning
=====================  =====================================================
active                 the token is valid and renewals succeed
renewal_failing        the last renewal failed for a passing reason; the old
                       token is still valid and renewal is retried with
                       growing delays
expired                renewal kept failing until the token ran out; still
                       retried, since credentials were never rejected
needs_reauthorization  Cdiscount rejected the password; nothing is sent for
                       this store until a person enters a new one
not_usable             Cdiscount says the account is deactivated, banned or
                       not authorized, or the service is retired
paused                 a person paused the store; nothing is renewed
=====================  =====================================================
"""

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoreStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RENEWAL_FAILING = "renewal_failing", _("Renewal failing")
    EXPIRED = "expired", _("Expired")
    NEEDS_REAUTHORIZATION = "needs_reauthorization", _("Needs re-authorization")
    NOT_USABLE = "not_usable", _("Not usable")
    PAUSED = "paused", _("Paused")


class LifecycleEvent(models.TextChoices):
    AUTHORIZED = "authorized", _("Authorized")
    REAUTHORIZED = "reauthorized", _("Re-authorized")
    AUTHORIZATION_FAILED = "authorization_failed", _("Authorization failed")
    RENEWED = "renewed", _("Token renewed")
    RENEWAL_FAILED = "renewal_failed", _("Renewal failed, will retry")
    CREDENTIALS_REJECTED = "credentials_rejected", _("Credentials rejected")
    ACCOUNT_NOT_USABLE = "account_not_usable", _("Account not usable")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    RENAMED = "renamed", _("Renamed")
    DELETED = "deleted", _("Deleted")
    CONNECTION_TESTED = "connection_tested", _("Connection tested")
    KIND_SWITCHED = "kind_switched", _("Switched to another credential kind")
    SECRET_UNREADABLE = "secret_unreadable", _("Stored secret unreadable")


# Stores in these states are renewed by the background sweep.
RENEWABLE_STATUSES = (
    StoreStatus.ACTIVE,
    StoreStatus.RENEWAL_FAILING,
    StoreStatus.EXPIRED,
)

# Renewable stores whose last renewal failed for a passing reason; they are
# retried after their backoff whatever their renewal time.
RETRYING_STATUSES = (StoreStatus.RENEWAL_FAILING, StoreStatus.EXPIRED)

# Where each event leaves a store, whatever state it was in. A passing
# failure depends on the token and is decided by status_after_outage().
TRANSITIONS = {
    LifecycleEvent.AUTHORIZED: StoreStatus.ACTIVE,
    LifecycleEvent.REAUTHORIZED: StoreStatus.ACTIVE,
    LifecycleEvent.RENEWED: StoreStatus.ACTIVE,
    LifecycleEvent.CREDENTIALS_REJECTED: StoreStatus.NEEDS_REAUTHORIZATION,
    LifecycleEvent.ACCOUNT_NOT_USABLE: StoreStatus.NOT_USABLE,
    LifecycleEvent.PAUSED: StoreStatus.PAUSED,
    LifecycleEvent.KIND_SWITCHED: StoreStatus.ACTIVE,
    LifecycleEvent.SECRET_UNREADABLE: StoreStatus.NEEDS_REAUTHORIZATION,
}


def status_after(event: str) -> StoreStatus:
    return TRANSITIONS[event]


def status_after_outage(
    token_expires_at: datetime | None, now: datetime
) -> StoreStatus:
    """A renewal failed for a passing reason: is the old token still good?"""
    if token_expires_at is not None and token_expires_at > now:
        return StoreStatus.RENEWAL_FAILING
    return StoreStatus.EXPIRED


def status_after_resume(
    token_expires_at: datetime | None, now: datetime
) -> StoreStatus:
    if token_expires_at is not None and token_expires_at > now:
        return StoreStatus.ACTIVE
    return StoreStatus.EXPIRED
