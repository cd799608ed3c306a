"""Octopia's OAuth2 token endpoint and seller API, reduced to what we call."""

import re
import secrets
from urllib.parse import parse_qs, unquote_plus

from simulator.exchange import (
    Request,
    Response,
    basic_credentials,
    gateway_timeout,
    html_page,
    service_unavailable,
)
from simulator.octopia_registry import (
    ClientBehaviour,
    OctopiaClient,
    OctopiaSeller,
    SellerApiBehaviour,
)
from simulator.state import SimulatorState
from simulator.token_override import HANG_SECONDS, answer_token_override

TOKEN_PATH = "/auth/realms/maas/protocol/openid-connect/token"  # noqa: S105 - a path
SELLERS_PATH = "/seller/v2/sellers"

_SELLER_ID_PATTERN = re.compile(r"[0-9]+")


def issue_access_token(request: Request, state: SimulatorState) -> Response:
    """Answer a client-credentials grant the way Octopia's Keycloak does."""
    form = _form_fields(request.body)
    client_id, client_secret = _client_credentials(request, form)
    state.stats.count_octopia_token_request(client_id)

    overridden = answer_token_override(state.token_override.get(), state.pause)
    if overridden is not None:
        return overridden
    if form is None:
        return _oauth_error(400, "invalid_request", "The body is not a valid form.")
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", "Only client_credentials is supported."
        )
    client = state.octopia.get_client(client_id) if client_id else None
    if client is None:
        return _oauth_error(401, "invalid_client", "Invalid client credentials.")

    if client.token_latency_ms:
        state.pause(client.token_latency_ms / 1000)
    failure = _client_behaviour_failure(client, state)
    if failure is not None:
        return failure
    # Constant-time comparison, as any secret check should be.
    if not secrets.compare_digest(
        (client_secret or "").encode(), client.client_secret.encode()
    ):
        return _oauth_error(401, "unauthorized_client", "Invalid client secret.")

    return _access_token_response(client, state)


def _form_fields(body: bytes) -> dict[str, str] | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    fields = parse_qs(text, keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def _client_credentials(
    request: Request, form: dict[str, str] | None
) -> tuple[str | None, str | None]:
    # RFC 6749 section 2.3.1: Basic client auth wins, and both of its parts are
    # form-encoded before they are base64-encoded.
    from_header = basic_credentials(request.header("Authorization"))
    if from_header is not None:
        client_id, client_secret = from_header
        return unquote_plus(client_id), unquote_plus(client_secret)
    form = form or {}
    return form.get("client_id") or None, form.get("client_secret")


def _client_behaviour_failure(
    client: OctopiaClient, state: SimulatorState
) -> Response | None:
    if client.behaviour is ClientBehaviour.REJECT:
        return _oauth_error(401, "unauthorized_client", "Invalid client secret.")
    if client.behaviour is ClientBehaviour.HTML:
        return html_page(200, "Octopia", "Vérification de votre navigateur en cours.")
    if client.behaviour is ClientBehaviour.UNAVAILABLE:
        return service_unavailable()
    if client.behaviour is ClientBehaviour.HANG:
        state.pause(HANG_SECONDS)
        return gateway_timeout()
    return None


def _access_token_response(client: OctopiaClient, state: SimulatorState) -> Response:
    access_token = state.octopia_tokens.issue(
        client.client_id, client.token_lifetime_seconds
    )
    return Response.json(
        200,
        {
            "access_token": access_token,
            "expires_in": int(client.token_lifetime_seconds),
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "profile email",
        },
    )


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json(status, {"error": error, "error_description": description})


def get_seller(request: Request, state: SimulatorState) -> Response:
    """Answer GET /seller/v2/sellers for the seller in the SellerId header."""
    lookup = state.octopia_tokens.lookup(_bearer_token(request) or "")
    state.stats.count_octopia_seller_request(lookup.owner)
    if not lookup.is_valid:
        return _api_error(
            401,
            "invalid_token",
            "The access token is missing, invalid or expired.",
            extra_headers=(("WWW-Authenticate", 'Bearer error="invalid_token"'),),
        )

    seller_id = (request.header("SellerId") or "").strip()
    if not _SELLER_ID_PATTERN.fullmatch(seller_id):
        return _api_error(
            400, "invalid_seller_id", "The SellerId header must be a numeric id."
        )
    seller = state.octopia.get_seller(seller_id)
    if seller is None:
        return _api_error(404, "seller_not_found", f"Seller {seller_id} not found.")
    if not state.octopia.is_linked(lookup.owner, seller_id):
        return _api_error(
            403,
            "seller_not_linked",
            f"Seller {seller_id} is not linked to client {lookup.owner}.",
        )
    failure = _seller_api_failure(seller, state)
    if failure is not None:
        return failure

    return Response.json(
        200,
        {
            "id": seller.seller_id,
            "shopName": seller.shop_name,
            "login": seller.login,
            "email": f"{seller.login}@example.invalid",
            "status": "Active",
            "countryCode": "FR",
        },
    )


def _seller_api_failure(
    seller: OctopiaSeller, state: SimulatorState
) -> Response | None:
    if seller.api_behaviour is SellerApiBehaviour.HTML:
        return html_page(200, "Octopia", "Vérification de votre navigateur en cours.")
    if seller.api_behaviour is SellerApiBehaviour.UNAVAILABLE:
        return service_unavailable()
    if seller.api_behaviour is SellerApiBehaviour.HANG:
        state.pause(HANG_SECONDS)
        return gateway_timeout()
    return None


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = (request.header("Authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def _api_error(
    status: int,
    code: str,
    detail: str,
    extra_headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    payload = {"status": status, "code": code, "detail": detail}
    return Response.json(status, payload, extra_headers)
