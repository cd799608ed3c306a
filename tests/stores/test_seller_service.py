import pytest

from stores.cdiscount.endpoints import legacy_endpoints
from stores.cdiscount.errors import (
    AccountNotUsable,
    ServiceRetired,
    ServiceUnavailable,
    TokenRejected,
    UnexpectedAnswer,
)
from stores.cdiscount.seller_service import NotUsable, get_seller_information
from stores.cdiscount.token_service import request_token
from stores.environments import Environment
from stores.services import legacy_check
from stores.services.legacy_check import verify_legacy_account


def token_for(login: str) -> str:
    endpoints = legacy_endpoints(Environment.SIMULATOR)
    return request_token(endpoints.token_url, login, "Demo-2024!").value


def seller_of(login: str):
    soap_url = legacy_endpoints(Environment.SIMULATOR).soap_url
    return get_seller_information(soap_url, token_for(login))


def test_active_seller_is_returned_with_its_shop_name(simulator_url):
    seller = seller_of("demo-shop-api")

    assert seller.shop_name == "Boutique Démo"
    assert seller.seller_login == "demo-shop-api"
    assert (seller.state, seller.availability) == ("Activated", "ActiveSeller")


@pytest.mark.parametrize(
    ("login", "reason"),
    [
        ("deactivated-api", NotUsable.DEACTIVATED),
        ("banned-api", NotUsable.BANNED),
        ("notauthorized-api", NotUsable.NOT_AUTHORIZED),
        ("operationfalse-api", NotUsable.REFUSED),
    ],
)
def test_unusable_accounts_are_told_apart(simulator_url, login, reason):
    with pytest.raises(AccountNotUsable) as caught:
        seller_of(login)

    assert caught.value.reason == reason


def test_operation_refusal_keeps_cdiscounts_french_message(simulator_url):
    with pytest.raises(AccountNotUsable) as caught:
        seller_of("operationfalse-api")

    assert caught.value.cdiscount_message.startswith("Vous n'êtes pas autorisé")


def test_404_from_the_soap_service_means_retired(simulator_url):
    with pytest.raises(ServiceRetired):
        seller_of("retired-api")


def test_soap_503_is_service_unavailable(simulator_control):
    simulator_control.add_account("soapdown-api", "Demo-2024!", "soap_unavailable")

    with pytest.raises(ServiceUnavailable):
        seller_of("soapdown-api")


def test_unknown_token_is_a_token_rejection(simulator_url):
    soap_url = legacy_endpoints(Environment.SIMULATOR).soap_url

    with pytest.raises(TokenRejected):
        get_seller_information(soap_url, "0123456789abcdef0123456789abcdef")


def test_stale_token_is_renewed_once_then_the_call_retried(
    simulator_control, monkeypatch
):
    calls = []

    def forget_first_token(soap_url, token):
        calls.append(token)
        if len(calls) == 1:
            simulator_control.expire_tokens("demo-shop-api")
        return get_seller_information(soap_url, token)

    monkeypatch.setattr(legacy_check, "get_seller_information", forget_first_token)

    account = verify_legacy_account(
        Environment.SIMULATOR, "demo-shop-api", "Demo-2024!"
    )

    assert account.seller.shop_name == "Boutique Démo"
    assert len(calls) == 2 and calls[0] != calls[1] == account.token.value
    assert simulator_control.token_requests("demo-shop-api") == 2


def test_a_second_token_rejection_is_reported_not_looped(
    simulator_control, monkeypatch
):
    def always_stale(soap_url, token):
        simulator_control.expire_tokens("demo-shop-api")
        return get_seller_information(soap_url, token)

    monkeypatch.setattr(legacy_check, "get_seller_information", always_stale)

    with pytest.raises(UnexpectedAnswer):
        verify_legacy_account(Environment.SIMULATOR, "demo-shop-api", "Demo-2024!")
    assert simulator_control.token_requests("demo-shop-api") == 2
