"""The shared Octopia token of cdauth's own client, for every delegated store.

Every delegated store of an environment calls Octopia with this one token and
its own SellerId, so the token is renewed once for all of them: under a lease
on its row (the same conditional UPDATE as a store's claim), with the call to
Octopia made outside any transaction, and written only while the lease holds.
A worker that finds another one renewing waits for it rather than asking
Octopia a second time.
"""

import logging
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from stores import crypto
from stores.cdiscount.endpoints import request_timeouts
from stores.cdiscount.errors import (
    CdiscountError,
    ClientCredentialsRejected,
    PlatformClientUnusable,
    ServiceUnavailable,
    UnexpectedAnswer,
)
from stores.cdiscount.octopia import octopia_endpoints, request_client_token
from stores.models import PlatformToken
from stores.services.renewal import is_unclaimed, renewal_time, retry_delay

logger = logging.getLogger(__name__)

PLATFORM_TOKEN_PREFIX = "octopia-platform"  # noqa: S105 - a row name
_WAIT_POLL_SECONDS = 0.2
# A token issued this recently is taken to be the replacement of a refused
# one, so a second refusal report does not renew it yet again.
_REFUSAL_GRACE = timedelta(seconds=30)
_RELEASED = {"claim_id": "", "claimed_until": None}


def platform_token_name(environment: str) -> str:
    """Name the shared token of ``environment``; each has its own."""
    return f"{PLATFORM_TOKEN_PREFIX}:{environment}"


def is_platform_configured() -> bool:
    return bool(settings.OCTOPIA_CLIENT_ID and settings.OCTOPIA_CLIENT_SECRET)


def _is_fresh(row: PlatformToken, now: datetime) -> bool:
    return bool(
        row.token_ciphertext and row.token_renew_at and row.token_renew_at > now
    )


def _is_valid(row: PlatformToken, now: datetime) -> bool:
    return bool(
        row.token_ciphertext and row.token_expires_at and row.token_expires_at > now
    )


def current_platform_token(
    environment: str, *, require_fresh: bool = False
) -> PlatformToken:
    """Return the shared token's row, renewing the token first when it is due.

    When the token cannot be renewed now (Octopia failing, backing off, or
    another worker still at it) but is still valid, the row is returned as
    it is, unless ``require_fresh``. Otherwise the failure is raised as a
    ``CdiscountError``.
    """
    if not is_platform_configured():
        raise PlatformClientUnusable(
            "OCTOPIA_CLIENT_ID or OCTOPIA_CLIENT_SECRET is not set"
        )
    name = platform_token_name(environment)
    now = timezone.now()
    row, _ = PlatformToken.objects.get_or_create(name=name)
    if _is_fresh(row, now):
        return row

    failure: CdiscountError | None = None
    claim_id = _claim(row.pk, now)
    if claim_id is None:
        row = _wait_while_claimed(row.pk)
    else:
        try:
            _renew(row, claim_id, environment)
        except CdiscountError as error:
            failure = error
        row = PlatformToken.objects.get(pk=row.pk)

    now = timezone.now()
    if _is_fresh(row, now) or (not require_fresh and _is_valid(row, now)):
        return row
    raise failure or _recorded_failure(row, now)


@sensitive_variables("token")
def platform_access_token(environment: str) -> str:
    """Return the shared token itself, renewed first if it is due."""
    row = current_platform_token(environment)
    return crypto.decrypt(row.token_ciphertext)


def platform_token_refused(environment: str) -> bool:
    """Octopia refused the shared token: make it due, unless just replaced.

    Returns whether the token was marked due.
    """
    now = timezone.now()
    marked = PlatformToken.objects.filter(
        name=platform_token_name(environment), token_issued_at__lt=now - _REFUSAL_GRACE
    ).update(token_renew_at=now, next_attempt_at=None)
    logger.warning(
        "platform token refused environment=%s marked_due=%s", environment, marked
    )
    return bool(marked)


def _claim(pk: int, now: datetime) -> str | None:
    claim_id = uuid.uuid4().hex
    due = Q(token_renew_at__isnull=True) | Q(token_renew_at__lte=now)
    not_backing_off = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = PlatformToken.objects.filter(
        Q(pk=pk) & is_unclaimed(now) & due & not_backing_off
    ).update(claim_id=claim_id, claimed_until=now + settings.TOKEN_RENEWAL_LEASE)
    return claim_id if claimed else None


def _wait_while_claimed(pk: int) -> PlatformToken:
    """Wait for another worker's renewal, at most as long as its call lasts."""
    connect_timeout, read_timeout = request_timeouts()
    deadline = time.monotonic() + connect_timeout + read_timeout + 1
    while True:
        row = PlatformToken.objects.get(pk=pk)
        held = row.claimed_until is not None and row.claimed_until > timezone.now()
        if not held or time.monotonic() >= deadline:
            return row
        time.sleep(_WAIT_POLL_SECONDS)


@sensitive_variables("token")
def _renew(row: PlatformToken, claim_id: str, environment: str) -> None:
    endpoints = octopia_endpoints(environment)
    now = timezone.now()
    try:
        token = request_client_token(
            endpoints.token_url,
            settings.OCTOPIA_CLIENT_ID,
            settings.OCTOPIA_CLIENT_SECRET,
        )
    except ClientCredentialsRejected as exc:
        error = PlatformClientUnusable(f"Octopia refused cdauth's own client: {exc}")
        _record_failure(row, claim_id, error, now)
        logger.error(
            "platform token renewal outcome=credentials_rejected environment=%s",
            environment,
        )
        raise error from None
    except (ServiceUnavailable, UnexpectedAnswer) as exc:
        _record_failure(row, claim_id, exc, now)
        logger.warning(
            "platform token renewal outcome=retry_later environment=%s error=%s",
            environment,
            type(exc).__name__,
        )
        raise

    # Written whatever the stored expiry: the lease makes this the newest
    # token, and the stored one may have been refused (or Octopia may have
    # shortened the lifetime), so keeping it would keep a dead token.
    written = PlatformToken.objects.filter(pk=row.pk, claim_id=claim_id).update(
        token_ciphertext=crypto.encrypt(token.value),
        token_issued_at=token.issued_at,
        token_expires_at=token.expires_at,
        token_renew_at=renewal_time(token.issued_at, token.expires_at),
        renewal_failures=0,
        next_attempt_at=None,
        status_reason="",
        updated_at=token.issued_at,
        **_RELEASED,
    )
    logger.info(
        "platform token renewal outcome=%s environment=%s expires_at=%s",
        "renewed" if written else "lost_claim",
        environment,
        token.expires_at.isoformat(),
    )


def _record_failure(
    row: PlatformToken, claim_id: str, error: CdiscountError, now: datetime
) -> None:
    PlatformToken.objects.filter(pk=row.pk, claim_id=claim_id).update(
        renewal_failures=F("renewal_failures") + 1,
        next_attempt_at=now + retry_delay(row.renewal_failures + 1),
        status_reason=f"{type(error).__name__}: {error}",
        updated_at=now,
        **_RELEASED,
    )


def _recorded_failure(row: PlatformToken, now: datetime) -> CdiscountError:
    """The error to raise when the token is unusable and was not renewed."""
    prefix = f"{PlatformClientUnusable.__name__}: "
    if row.status_reason.startswith(prefix):
        return PlatformClientUnusable(row.status_reason.removeprefix(prefix))
    if row.claimed_until is not None and row.claimed_until > now:
        return ServiceUnavailable(
            "the shared Octopia token is still being renewed by another worker"
        )
    return ServiceUnavailable(
        "the shared Octopia token could not be renewed: "
        f"{row.status_reason or 'no renewal has succeeded yet'}"
    )
