"""Check a legacy login: get a token, then ask Cdiscount who the seller is."""

from dataclasses import dataclass

from django.views.decorators.debug import sensitive_variables

from stores.cdiscount.endpoints import legacy_endpoints
from stores.cdiscount.errors import TokenRejected, UnexpectedAnswer
from stores.cdiscount.seller_service import SellerInformation, get_seller_information
from stores.cdiscount.token_service import IssuedToken, request_token


@dataclass(frozen=True)
class VerifiedAccount:
    token: IssuedToken
    seller: SellerInformation


def seller_fields(seller: SellerInformation) -> dict[str, str]:
    """The store columns that keep what ``GetSellerInformation`` said."""
    return {
        "shop_name": seller.shop_name,
        "seller_login": seller.seller_login,
        "seller_state": seller.state,
        "seller_availability": seller.availability,
    }


@sensitive_variables("api_password", "token")
def verify_legacy_account(
    environment: str, api_login: str, api_password: str
) -> VerifiedAccount:
    """Return a fresh token and the seller, or raise a ``CdiscountError``.

    A token the SOAP service does not know is renewed once and the call made
    once more; a second refusal is reported as an unexpected answer rather
    than looping.
    """
    endpoints = legacy_endpoints(environment)
    token = request_token(endpoints.token_url, api_login, api_password)
    try:
        seller = get_seller_information(endpoints.soap_url, token.value)
    except TokenRejected:
        token = request_token(endpoints.token_url, api_login, api_password)
        try:
            seller = get_seller_information(endpoints.soap_url, token.value)
        except TokenRejected as exc:
            raise UnexpectedAnswer(
                "the SOAP service refused a token just issued for this login"
            ) from exc
    return VerifiedAccount(token=token, seller=seller)
