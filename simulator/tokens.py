"""Issued tokens: several per owner, each with its own expiry."""

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class TokenStatus(StrEnum):
    """What a presented token turned out to be."""

    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    VALID = "valid"


@dataclass(frozen=True)
class TokenLookup:
    """The verdict on a presented token and, if known, who received it."""

    status: TokenStatus
    owner: str | None = None

    @property
    def is_valid(self) -> bool:
        """Say whether the token may be used now."""
        return self.status is TokenStatus.VALID


@dataclass
class _IssuedToken:
    owner: str
    expires_at: float


class TokenStore:
    """Tokens made of an optional prefix and 32 lowercase hex characters.

    Expired tokens are kept so that statistics can still name their owner; they
    only ever answer EXPIRED.
    """

    def __init__(self, prefix: str = "", clock: Callable[[], float] = time.monotonic):
        self._prefix = prefix
        self._pattern = re.compile(re.escape(prefix) + "[0-9a-f]{32}")
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, _IssuedToken] = {}

    def issue(self, owner: str, lifetime_seconds: float) -> str:
        """Issue a new token; earlier tokens of the same owner stay valid."""
        token = self._prefix + secrets.token_hex(16)
        expires_at = self._clock() + lifetime_seconds
        with self._lock:
            self._tokens[token] = _IssuedToken(owner, expires_at)
        return token

    def lookup(self, token: str) -> TokenLookup:
        """Say whether the token is malformed, unknown, expired or valid."""
        if not self._pattern.fullmatch(token):
            return TokenLookup(TokenStatus.MALFORMED)
        with self._lock:
            issued = self._tokens.get(token)
            if issued is None:
                return TokenLookup(TokenStatus.UNKNOWN)
            if self._clock() >= issued.expires_at:
                return TokenLookup(TokenStatus.EXPIRED, issued.owner)
            return TokenLookup(TokenStatus.VALID, issued.owner)

    def expire_owner(self, owner: str) -> int:
        """Expire every token of this owner now; return how many were live."""
        now = self._clock()
        expired = 0
        with self._lock:
            for issued in self._tokens.values():
                if issued.owner == owner and issued.expires_at > now:
                    issued.expires_at = now
                    expired += 1
        return expired

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._tokens.clear()
