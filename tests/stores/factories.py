"""Stores in a chosen state, built without calling Cdiscount."""

from datetime import timedelta

from django.utils import timezone

from stores import crypto
from stores.environments import Environment
from stores.lifecycle import StoreStatus
from stores.models import Store
from stores.services.renewal import renewal_time

DEMO_PASSWORD = "Demo-2024!"
LIFETIME = timedelta(hours=48)


def make_store(
    team,
    *,
    login="demo-shop-api",
    password=DEMO_PASSWORD,
    expires_in: timedelta | None = timedelta(hours=40),
    status=StoreStatus.ACTIVE,
    name=None,
    token="0123456789abcdef0123456789abcdef",
) -> Store:
    now = timezone.now()
    expires_at = None if expires_in is None else now + expires_in
    return Store.objects.create(
        team=team,
        name=name or f"Store {login}",
        api_login=login,
        environment=Environment.SIMULATOR,
        password_ciphertext=crypto.encrypt(password),
        token_ciphertext=crypto.encrypt(token) if expires_at else "",
        token_issued_at=None if expires_at is None else expires_at - LIFETIME,
        token_expires_at=expires_at,
        token_renew_at=(
            None
            if expires_at is None
            else renewal_time(expires_at - LIFETIME, expires_at)
        ),
        status=status,
        shop_name="Boutique",
    )
