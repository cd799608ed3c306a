"""Cdiscount's legacy token service (STS) and SOAP MarketplaceAPIService."""

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from xml.etree import ElementTree

from simulator import soap_envelopes
from simulator.accounts import Account, Behaviour
from simulator.exchange import (
    PLAIN_CONTENT_TYPE,
    Request,
    Response,
    basic_credentials,
    gateway_timeout,
    html_page,
    not_found,
    service_unavailable,
)
from simulator.soap_envelopes import CDISCOUNT_NS, MESSAGES_NS, SOAP_ENVELOPE_NS
from simulator.state import SimulatorState
from simulator.token_override import HANG_SECONDS, answer_token_override
from simulator.tokens import TokenStatus

TOKEN_PATHS = ("/users/httpissue.svc/", "/users/httpissue.svc")
SOAP_PATH = "/marketplaceapiservice.svc"
SERIALIZATION_NS = "http://schemas.microsoft.com/2003/10/Serialization/"
SOAP_ACTION_PREFIX = "http://www.cdiscount.com/IMarketplaceAPIService/"

IMPLEMENTED_OPERATION = (CDISCOUNT_NS, "GetSellerInformation")
NOT_ALLOWED_TO_USE_API = "Vous n'êtes pas autorisé à utiliser cette API."

_TOKEN_ID_PATH = "/".join(
    (
        f"{{{CDISCOUNT_NS}}}headerMessage",
        f"{{{MESSAGES_NS}}}Security",
        f"{{{MESSAGES_NS}}}TokenId",
    )
)


class TokenFault(StrEnum):
    """The service's fault strings for a token it will not accept."""

    MALFORMED = "Token id is not correctly formatted."
    UNKNOWN = "Your token does not exist, please renew your token id."


@dataclass(frozen=True)
class SoapCall:
    """What the simulator needs from a request envelope."""

    operation_namespace: str
    operation: str
    token_id: str


def issue_token(request: Request, state: SimulatorState) -> Response:
    """Answer GET /users/httpIssue.svc/ with a new token or a failure."""
    credentials = basic_credentials(request.header("Authorization"))
    state.stats.count_token_request(credentials[0] if credentials else None)
    with state.stats.token_request_in_flight():
        return _answer_token_request(credentials, state)


def _answer_token_request(
    credentials: tuple[str, str] | None, state: SimulatorState
) -> Response:
    overridden = answer_token_override(state.token_override.get(), state.pause)
    if overridden is not None:
        return overridden
    if credentials is None:
        return _unauthorized()
    login, password = credentials
    account = state.accounts.get(login)
    if account is None:
        return _unauthorized()

    if account.token_latency_ms:
        state.pause(account.token_latency_ms / 1000)
    failure = _token_service_failure(account.behaviour, state)
    if failure is not None:
        return failure
    # Constant-time comparison: the habit costs nothing, even in a stand-in.
    if not secrets.compare_digest(password.encode(), account.password.encode()):
        return _unauthorized()

    token = state.legacy_tokens.issue(login, account.token_lifetime_seconds)
    body = f'<string xmlns="{SERIALIZATION_NS}">{token}</string>'
    return Response.text(200, body, "text/plain")


def _token_service_failure(
    behaviour: Behaviour, state: SimulatorState
) -> Response | None:
    # These failures do not depend on the password, as with the real front end.
    if behaviour is Behaviour.REJECT:
        return _unauthorized()
    if behaviour is Behaviour.HTML:
        return bot_protection_page()
    if behaviour is Behaviour.FIREWALL:
        return html_page(403, "Access denied", "Your address is not allowed.")
    if behaviour is Behaviour.UNAVAILABLE:
        return service_unavailable()
    if behaviour is Behaviour.HANG:
        state.pause(HANG_SECONDS)
        return gateway_timeout()
    return None


def _unauthorized() -> Response:
    return Response(
        401,
        b"Unauthorized",
        PLAIN_CONTENT_TYPE,
        extra_headers=(("WWW-Authenticate", 'Basic realm="Cdiscount STS"'),),
    )


def bot_protection_page() -> Response:
    """Answer 200 with an HTML challenge page instead of a token."""
    return html_page(
        200,
        "Cdiscount STS",
        "Vérification de votre navigateur en cours. Activez JavaScript et les "
        "cookies, puis réessayez.",
    )


def call_soap_service(request: Request, state: SimulatorState) -> Response:
    """Answer POST /MarketplaceAPIService.svc like the WCF service does."""
    call = parse_soap_call(request.body)
    if call is None:
        state.stats.count_soap_request(None)
        return _soap_fault(
            "DeserializationFailed",
            "The simulator could not read the SOAP 1.1 envelope or its operation.",
            dispatcher=True,
        )
    lookup = state.legacy_tokens.lookup(call.token_id)
    state.stats.count_soap_request(lookup.owner)

    # Dispatch comes before the service's own token check in WCF.
    if (call.operation_namespace, call.operation) != IMPLEMENTED_OPERATION:
        return _soap_fault(
            "ActionNotSupported",
            f"The simulator does not implement the operation '{call.operation}'.",
            dispatcher=True,
        )
    if lookup.status is TokenStatus.MALFORMED:
        return _soap_fault("RequestTokenValidationError", TokenFault.MALFORMED)
    account = state.accounts.get(lookup.owner) if lookup.is_valid else None
    if account is None:
        return _soap_fault("RequestTokenValidationError", TokenFault.UNKNOWN)
    return _answer_seller_information(account, call, state)


def parse_soap_call(body: bytes) -> SoapCall | None:
    """Return a SOAP 1.1 request's operation and token; None if unreadable."""
    # No SOAP message carries a DTD; refusing them rules out entity expansion.
    if b"<!DOCTYPE" in body:
        return None
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - DTDs are refused above
    except ElementTree.ParseError:
        return None
    if root.tag != f"{{{SOAP_ENVELOPE_NS}}}Envelope":
        return None
    soap_body = root.find(f"{{{SOAP_ENVELOPE_NS}}}Body")
    if soap_body is None or len(soap_body) == 0:
        return None

    operation_element = soap_body[0]
    namespace, operation = _split_qualified_name(operation_element.tag)
    token_id = operation_element.findtext(_TOKEN_ID_PATH, default="")
    return SoapCall(namespace, operation, token_id)


def _split_qualified_name(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local_name = tag[1:].partition("}")
        return namespace, local_name
    return "", tag


def _answer_seller_information(
    account: Account, call: SoapCall, state: SimulatorState
) -> Response:
    behaviour = account.behaviour
    if behaviour is Behaviour.NOT_AUTHORIZED:
        return _soap_fault("RequestTokenValidationError", _not_authorized_message(call))
    if behaviour is Behaviour.OPERATION_FALSE:
        body = soap_envelopes.seller_information_failure(NOT_ALLOWED_TO_USE_API)
        return Response(200, body, soap_envelopes.SOAP_CONTENT_TYPE)
    if behaviour is Behaviour.SOAP_RETIRED:
        return not_found()
    if behaviour is Behaviour.SOAP_UNAVAILABLE:
        return service_unavailable()
    if behaviour is Behaviour.SOAP_HANG:
        state.pause(HANG_SECONDS)
        return gateway_timeout()

    body = soap_envelopes.seller_information_success(
        _seller_profile(account), call.token_id
    )
    return Response(200, body, soap_envelopes.SOAP_CONTENT_TYPE)


def _seller_profile(account: Account) -> soap_envelopes.SellerProfile:
    return soap_envelopes.SellerProfile(
        api_login=account.login,
        seller_login=account.seller_login,
        shop_name=account.shop_name,
        email=_fake_email(account.seller_login),
        is_available=(
            "BannedSeller" if account.behaviour is Behaviour.BANNED else "ActiveSeller"
        ),
        state=(
            "Deactivated" if account.behaviour is Behaviour.DEACTIVATED else "Activated"
        ),
    )


def _fake_email(seller_login: str) -> str:
    # Logins may hold any character; an address only gets the safe ones.
    local_part = re.sub(r"[^a-z0-9.-]+", "-", seller_login.lower()).strip("-.")
    return f"{local_part or 'seller'}@example.invalid"


def _not_authorized_message(call: SoapCall) -> str:
    # The real service prints the token in GUID form and the SOAP action.
    token = call.token_id
    guid = f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:]}"
    action = SOAP_ACTION_PREFIX + call.operation
    return (
        "User is not authorized to access to this resource "
        f"(Token used: '{guid}', Resource: (Service: 'marketplaceapiservice.svc' "
        f"/ Action: '{action}'))."
    )


def _soap_fault(code: str, message: str, *, dispatcher: bool = False) -> Response:
    body = soap_envelopes.fault(code, message, dispatcher=dispatcher)
    return Response(500, body, soap_envelopes.SOAP_CONTENT_TYPE)
