"""The two Octopia credential kinds, registered with ``stores.credentials``.

With the seller's own client, the store holds a client ID, its secret
(encrypted) and its token, like a legacy store holds a login and password.

With delegated access, the seller linked cdauth's client ID to their
account, and every delegated store of an environment shares cdauth's one
token (``stores.services.platform_token``). A delegated store's "renewal"
makes sure that shared token is valid and copies only its issue and expiry
times into the store row, so that the sweep, the list and the state machine
treat it like any other store; the token itself is never copied.
"""

from django.views.decorators.debug import sensitive_variables

from stores import crypto
from stores.cdiscount.octopia import octopia_endpoints, request_client_token
from stores.cdiscount.token_service import IssuedToken
from stores.credentials import CallCredentials, TokenInStoreRow, register
from stores.models import CredentialKind, PlatformToken, Store
from stores.services.platform_token import (
    current_platform_token,
    platform_token_name,
    platform_token_refused,
)


class OctopiaOwnClientCredentials(TokenInStoreRow):
    """The seller's own client ID and secret, exchanged for a token."""

    @sensitive_variables("client_secret")
    def issue_token(self, store: Store) -> IssuedToken:
        endpoints = octopia_endpoints(store.environment)
        client_secret = crypto.decrypt(store.client_secret_ciphertext)
        return request_client_token(endpoints.token_url, store.client_id, client_secret)

    def call_credentials(self, store: Store, token: str) -> CallCredentials:
        return CallCredentials(token=token, seller_id=store.seller_id)


class OctopiaDelegatedCredentials:
    """cdauth's own client, linked by the seller; one token for all of them."""

    def issue_token(self, store: Store) -> IssuedToken:
        # The value stays empty: the renewal keeps only the times in the row.
        platform = current_platform_token(store.environment, require_fresh=True)
        return IssuedToken(
            value="",
            issued_at=platform.token_issued_at,
            expires_at=platform.token_expires_at,
        )

    def call_credentials(self, store: Store, token: str) -> CallCredentials:
        return CallCredentials(token=token, seller_id=store.seller_id)

    def stored_token(self, store: Store) -> str:
        ciphertext = (
            PlatformToken.objects.filter(name=platform_token_name(store.environment))
            .values_list("token_ciphertext", flat=True)
            .first()
        )
        return crypto.decrypt(ciphertext or "")

    def token_refused(self, store: Store) -> None:
        platform_token_refused(store.environment)


def register_octopia_clients() -> None:
    register(CredentialKind.OCTOPIA_OWN, OctopiaOwnClientCredentials())
    register(CredentialKind.OCTOPIA_DELEGATED, OctopiaDelegatedCredentials())
