from datetime import timedelta

import pytest

from stores import crypto
from stores.cdiscount.endpoints import legacy_endpoints
from stores.cdiscount.errors import TokenRejected
from stores.cdiscount.seller_service import get_seller_information
from stores.environments import Environment
from stores.lifecycle import StoreStatus
from stores.services.tokens import TokenUnavailable, call_with_token, credentials_for

from .factories import make_store

STORED = "0123456789abcdef0123456789abcdef"


def test_stored_token_is_returned_while_it_has_time_left(team, simulator_control):
    store = make_store(team, expires_in=timedelta(hours=30))

    credentials = credentials_for(store.pk)

    assert credentials.token == STORED
    assert credentials.seller_id == ""
    assert simulator_control.token_requests("demo-shop-api") == 0


def test_token_inside_the_safety_margin_is_renewed_first(team, simulator_control):
    store = make_store(team, expires_in=timedelta(minutes=5))

    credentials = credentials_for(store.pk)

    store.refresh_from_db()
    assert credentials.token != STORED
    assert credentials.token == crypto.decrypt(store.token_ciphertext)
    assert simulator_control.token_requests("demo-shop-api") == 1


def test_store_needing_reauthorization_gives_no_token(team, simulator_control):
    store = make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)

    with pytest.raises(TokenUnavailable):
        credentials_for(store.pk)
    assert simulator_control.token_requests("demo-shop-api") == 0


def seller_call(credentials):
    soap_url = legacy_endpoints(Environment.SIMULATOR).soap_url
    return get_seller_information(soap_url, credentials.token)


def test_token_cdiscount_does_not_know_is_renewed_once_and_retried_once(
    team, simulator_control
):
    # The stored token was never issued by the simulator: "does not exist".
    store = make_store(team, expires_in=timedelta(hours=30))

    seller = call_with_token(store.pk, seller_call)

    assert seller.shop_name == "Boutique Démo"
    assert simulator_control.token_requests("demo-shop-api") == 1


def test_a_second_refusal_is_raised_not_looped(team, simulator_control):
    store = make_store(team, expires_in=timedelta(hours=30))
    calls = []

    def always_refused(credentials):
        calls.append(credentials.token)
        raise TokenRejected("Your token does not exist, please renew your token id.")

    with pytest.raises(TokenRejected):
        call_with_token(store.pk, always_refused)
    assert len(calls) == 2 and calls[0] != calls[1]
    assert simulator_control.token_requests("demo-shop-api") == 1
