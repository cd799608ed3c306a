"""Credential kinds: how a store of each kind gets a token from Cdiscount.

Each kind registers a client here; the renewal service and the token
function used by other code never look at the kind themselves. Adding a kind
means writing its client and registering it, nothing else.
"""

from dataclasses import dataclass
from typing import Protocol

from django.views.decorators.debug import sensitive_variables

from stores import crypto
from stores.cdiscount.endpoints import legacy_endpoints
from stores.cdiscount.token_service import IssuedToken, request_token
from stores.models import CredentialKind, Store


@dataclass(frozen=True)
class CallCredentials:
    """What a caller needs to call Cdiscount for a store."""

    token: str
    # Octopia calls also carry the seller's id in a ``SellerId`` header.
    seller_id: str = ""

    def __repr__(self) -> str:
        return f"CallCredentials(seller_id={self.seller_id!r})"


class CredentialClient(Protocol):
    def issue_token(self, store: Store) -> IssuedToken:
        """Get a new token for ``store``, or raise a ``CdiscountError``.

        May raise ``crypto.UndecryptableSecret`` when a stored secret can no
        longer be read.
        """

    def call_credentials(self, store: Store, token: str) -> CallCredentials:
        """What to send with a call, given the store's current token."""

    def stored_token(self, store: Store) -> str:
        """The token the store's calls use now, decrypted.

        May raise ``crypto.UndecryptableSecret``.
        """

    def token_refused(self, store: Store) -> None:
        """Cdiscount refused the stored token: let a renewal replace it."""


class TokenInStoreRow:
    """For kinds whose token is the store's own, kept in its row."""

    def stored_token(self, store: Store) -> str:
        return crypto.decrypt(store.token_ciphertext)

    def token_refused(self, store: Store) -> None:
        # A forced renewal always issues a new token for the store.
        return None


class LegacyCredentialClient(TokenInStoreRow):
    """API login and password, exchanged at the token service (HTTP Basic)."""

    @sensitive_variables("password")
    def issue_token(self, store: Store) -> IssuedToken:
        endpoints = legacy_endpoints(store.environment)
        password = crypto.decrypt(store.password_ciphertext)
        return request_token(endpoints.token_url, store.api_login, password)

    def call_credentials(self, store: Store, token: str) -> CallCredentials:
        return CallCredentials(token=token)


_CLIENTS: dict[str, CredentialClient] = {
    CredentialKind.LEGACY: LegacyCredentialClient(),
}


def register(kind: str, client: CredentialClient) -> None:
    _CLIENTS[kind] = client


def client_for(kind: str) -> CredentialClient:
    try:
        return _CLIENTS[kind]
    except KeyError:
        raise ValueError(f"no credential client for kind {kind!r}") from None
