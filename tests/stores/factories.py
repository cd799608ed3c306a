"""Stores in a chosen state and team members, without calling Cdiscount."""

from datetime import timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from stores import crypto
from stores.environments import Environment
from stores.lifecycle import StoreStatus
from stores.models import Membership, Role, Store
from stores.services.renewal import renewal_time

from ..conftest import MEMBER_PASSWORD

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


@cache
def _member_password_hash() -> str:
    return make_password(MEMBER_PASSWORD)


def make_member(team, username, role=Role.OPERATOR, *, limited_to=None):
    """A member of ``team``; ``limited_to`` lists the only stores they see.

    The password is ``MEMBER_PASSWORD``, hashed once per run.
    """
    user = get_user_model().objects.create_user(username)
    user.password = _member_password_hash()
    user.save(update_fields=["password"])
    membership = Membership.objects.create(
        team=team, user=user, role=role, limited_to_stores=limited_to is not None
    )
    if limited_to:
        membership.stores.set(limited_to)
    return user
