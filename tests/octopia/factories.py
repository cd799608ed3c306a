"""Octopia stores in a chosen state, built without calling Octopia."""

from datetime import timedelta

from django.utils import timezone

from stores import crypto
from stores.environments import Environment
from stores.lifecycle import StoreStatus
from stores.models import CredentialKind, Store
from stores.services.renewal import renewal_time

from .conftest import OWN_CLIENT_ID, OWN_CLIENT_SECRET, OWN_SELLER_ID

OCTOPIA_LIFETIME = timedelta(hours=2)


def _times(expires_in: timedelta | None) -> dict:
    if expires_in is None:
        return {}
    expires_at = timezone.now() + expires_in
    issued_at = expires_at - OCTOPIA_LIFETIME
    return {
        "token_issued_at": issued_at,
        "token_expires_at": expires_at,
        "token_renew_at": renewal_time(issued_at, expires_at),
    }


def make_own_client_store(
    team,
    *,
    seller_id=OWN_SELLER_ID,
    client_id=OWN_CLIENT_ID,
    client_secret=OWN_CLIENT_SECRET,
    expires_in: timedelta | None = timedelta(hours=1, minutes=30),
    status=StoreStatus.ACTIVE,
    name=None,
) -> Store:
    return Store.objects.create(
        team=team,
        name=name or f"Own {seller_id}",
        credential_kind=CredentialKind.OCTOPIA_OWN,
        environment=Environment.SIMULATOR,
        seller_id=seller_id,
        client_id=client_id,
        client_secret_ciphertext=crypto.encrypt(client_secret),
        token_ciphertext=crypto.encrypt("old-octopia-token") if expires_in else "",
        status=status,
        shop_name="Boutique Octopia",
        **_times(expires_in),
    )


def make_delegated_store(
    team,
    *,
    seller_id,
    expires_in: timedelta | None = None,
    status=StoreStatus.ACTIVE,
    name=None,
) -> Store:
    return Store.objects.create(
        team=team,
        name=name or f"Delegated {seller_id}",
        credential_kind=CredentialKind.OCTOPIA_DELEGATED,
        environment=Environment.SIMULATOR,
        seller_id=seller_id,
        status=status,
        shop_name=f"Vendeur {seller_id}",
        **_times(expires_in),
    )
