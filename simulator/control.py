"""JSON control API under /_simulator/ for tests and fault injection.

It has no authentication, so it answers loopback clients only.
"""

import ipaddress
from collections.abc import Callable
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

from simulator.accounts import Account, Behaviour
from simulator.exchange import Request, Response
from simulator.octopia_registry import (
    ClientBehaviour,
    OctopiaClient,
    OctopiaSeller,
    SellerApiBehaviour,
)
from simulator.state import SimulatorState
from simulator.token_override import TokenOutage, TokenOverride

CONTROL_PREFIX = "/_simulator/"

ControlHandler = Callable[[Request, SimulatorState], Response]
ItemHandler = Callable[[Request, SimulatorState, str], Response]
FieldParser = Callable[[Any, str], Any]


class InvalidInput(ValueError):
    """A control request whose body cannot be applied as it stands."""


def handle_control(request: Request, state: SimulatorState) -> Response:
    """Route a request under /_simulator/ to its handler."""
    if not _is_loopback(request.client_host):
        return _error(403, "The control API answers loopback clients only.")
    route = request.path.removeprefix(CONTROL_PREFIX).rstrip("/")
    try:
        collection_handler = _COLLECTION_ROUTES.get((request.method, route))
        if collection_handler is not None:
            return collection_handler(request, state)
        for method, prefix, item_handler in _ITEM_ROUTES:
            if request.method == method and route.startswith(prefix):
                return item_handler(request, state, unquote(route[len(prefix) :]))
    except InvalidInput as problem:
        return _error(400, str(problem))
    return _error(404, f"No control endpoint for {request.method} {request.path}.")


def _is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


# Field parsers: each returns the clean value or raises InvalidInput.


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string.")
    return value


def _identifier(value: Any, name: str) -> str:
    # Basic auth splits on the first colon, so an identifier cannot hold one.
    text = _string(value, name)
    if not text or ":" in text:
        raise InvalidInput(f"{name} must be a non-empty string without a colon.")
    return text


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidInput(f"{name} must be a number of seconds, zero or more.")
    return value


def _milliseconds(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a whole number of milliseconds.")
    return value


def _seller_id(value: Any, name: str) -> str:
    text = (
        str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    )
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        raise InvalidInput(f"{name} must be a numeric seller id.")
    return text


def _choice(enum: type[StrEnum]) -> FieldParser:
    def parse(value: Any, name: str) -> StrEnum:
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise InvalidInput(f"{name} must be one of: {allowed}.") from None

    return parse


def _list_of(item_parser: FieldParser) -> FieldParser:
    def parse(value: Any, name: str) -> list:
        if not isinstance(value, list):
            raise InvalidInput(f"{name} must be a list.")
        return [item_parser(item, name) for item in value]

    return parse


ACCOUNT_FIELDS: dict[str, FieldParser] = {
    "login": _identifier,
    "password": _string,
    "behaviour": _choice(Behaviour),
    "shop_name": _string,
    "seller_login": _string,
    "token_lifetime_seconds": _seconds,
    "token_latency_ms": _milliseconds,
}
CLIENT_FIELDS: dict[str, FieldParser] = {
    "client_id": _identifier,
    "client_secret": _string,
    "behaviour": _choice(ClientBehaviour),
    "token_lifetime_seconds": _seconds,
    "token_latency_ms": _milliseconds,
    "seller_ids": _list_of(_seller_id),
}
SELLER_FIELDS: dict[str, FieldParser] = {
    "seller_id": _seller_id,
    "shop_name": _string,
    "login": _string,
    "api_behaviour": _choice(SellerApiBehaviour),
    "linked_clients": _list_of(_identifier),
}
GLOBAL_FIELDS: dict[str, FieldParser] = {
    "token_behaviour": lambda value, name: (
        None if value is None else _choice(TokenOutage)(value, name)
    ),
    "token_latency_ms": _milliseconds,
}


def _read_fields(
    request: Request,
    parsers: dict[str, FieldParser],
    required: tuple[str, ...] = (),
    forbidden: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Return the body's fields, parsed; refuse unknown or missing names."""
    try:
        payload = request.json()
    except ValueError:
        raise InvalidInput("The body must be a JSON object.") from None
    if not isinstance(payload, dict):
        raise InvalidInput("The body must be a JSON object.")
    unknown = sorted(
        name for name in payload if name not in parsers or name in forbidden
    )
    if unknown:
        raise InvalidInput(f"Unexpected fields: {', '.join(unknown)}.")
    missing = [name for name in required if name not in payload]
    if missing:
        raise InvalidInput(f"Missing fields: {', '.join(missing)}.")
    return {name: parsers[name](value, name) for name, value in payload.items()}


# Legacy accounts.


def _list_accounts(request: Request, state: SimulatorState) -> Response:
    return Response.json(
        200, [account.public_view() for account in state.accounts.all()]
    )


def _put_account(request: Request, state: SimulatorState) -> Response:
    fields = _read_fields(request, ACCOUNT_FIELDS, required=("login", "password"))
    account = Account(**fields)
    is_new = state.accounts.put(account)
    return Response.json(201 if is_new else 200, account.public_view())


def _put_accounts_in_bulk(request: Request, state: SimulatorState) -> Response:
    """Create or replace many accounts at once, for benchmarks."""
    try:
        payload = request.json()
    except ValueError:
        raise InvalidInput("The body must be a JSON object.") from None
    entries = payload.get("accounts") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        raise InvalidInput('The body must be {"accounts": [...]}.')
    for entry in entries:
        if not isinstance(entry, dict):
            raise InvalidInput("Each account must be a JSON object.")
        unknown = sorted(set(entry) - set(ACCOUNT_FIELDS))
        if unknown or not {"login", "password"} <= set(entry):
            raise InvalidInput("Each account needs login and password, and no more.")
        fields = {
            name: ACCOUNT_FIELDS[name](value, name) for name, value in entry.items()
        }
        state.accounts.put(Account(**fields))
    return Response.json(200, {"accounts": len(entries)})


def _patch_account(request: Request, state: SimulatorState, login: str) -> Response:
    changes = _read_fields(request, ACCOUNT_FIELDS, forbidden=("login",))
    account = state.accounts.update(login, **changes)
    if account is None:
        return _error(404, f"No account with login {login!r}.")
    return Response.json(200, account.public_view())


def _expire_legacy_tokens(request: Request, state: SimulatorState) -> Response:
    fields = _read_fields(request, {"login": _identifier}, required=("login",))
    expired = state.legacy_tokens.expire_owner(fields["login"])
    return Response.json(200, {"login": fields["login"], "expired_tokens": expired})


# Octopia clients and sellers.


def _client_view(client: OctopiaClient, state: SimulatorState) -> dict:
    return {
        "client_id": client.client_id,
        "behaviour": client.behaviour,
        "token_lifetime_seconds": client.token_lifetime_seconds,
        "token_latency_ms": client.token_latency_ms,
        "seller_ids": state.octopia.seller_ids_of(client.client_id),
    }


def _put_client(request: Request, state: SimulatorState) -> Response:
    fields = _read_fields(
        request, CLIENT_FIELDS, required=("client_id", "client_secret")
    )
    seller_ids = fields.pop("seller_ids", None)
    client = OctopiaClient(**fields)
    is_new = state.octopia.put_client(client, seller_ids)
    return Response.json(201 if is_new else 200, _client_view(client, state))


def _patch_client(request: Request, state: SimulatorState, client_id: str) -> Response:
    changes = _read_fields(request, CLIENT_FIELDS, forbidden=("client_id",))
    seller_ids = changes.pop("seller_ids", None)
    client = state.octopia.update_client(client_id, seller_ids, **changes)
    if client is None:
        return _error(404, f"No Octopia client with id {client_id!r}.")
    return Response.json(200, _client_view(client, state))


def _put_seller(request: Request, state: SimulatorState) -> Response:
    fields = _read_fields(request, SELLER_FIELDS, required=("seller_id",))
    linked_clients = fields.pop("linked_clients", None)
    fields.setdefault("shop_name", f"Vendeur {fields['seller_id']}")
    seller = OctopiaSeller(**fields)
    is_new = state.octopia.put_seller(seller, linked_clients)
    view = {
        "seller_id": seller.seller_id,
        "shop_name": seller.shop_name,
        "login": seller.login,
        "api_behaviour": seller.api_behaviour,
        "linked_clients": state.octopia.client_ids_of(seller.seller_id),
    }
    return Response.json(201 if is_new else 200, view)


def _expire_octopia_tokens(request: Request, state: SimulatorState) -> Response:
    fields = _read_fields(request, {"client_id": _identifier}, required=("client_id",))
    expired = state.octopia_tokens.expire_owner(fields["client_id"])
    return Response.json(
        200, {"client_id": fields["client_id"], "expired_tokens": expired}
    )


# Service-wide switches.


def _get_global(request: Request, state: SimulatorState) -> Response:
    return Response.json(200, state.token_override.get().public_view())


def _set_global(request: Request, state: SimulatorState) -> Response:
    # The whole override is replaced: an omitted field returns to its default.
    fields = _read_fields(request, GLOBAL_FIELDS)
    override = TokenOverride(
        outage=fields.get("token_behaviour"),
        latency_ms=fields.get("token_latency_ms", 0),
    )
    state.token_override.set(override)
    return Response.json(200, override.public_view())


def _get_stats(request: Request, state: SimulatorState) -> Response:
    return Response.json(200, state.stats.snapshot())


def _reset(request: Request, state: SimulatorState) -> Response:
    state.reset()
    return Response.json(200, {"reset": True})


def _error(status: int, message: str) -> Response:
    return Response.json(status, {"error": message})


_COLLECTION_ROUTES: dict[tuple[str, str], ControlHandler] = {
    ("GET", "accounts"): _list_accounts,
    ("POST", "accounts"): _put_account,
    ("POST", "accounts/bulk"): _put_accounts_in_bulk,
    ("POST", "tokens/expire"): _expire_legacy_tokens,
    ("POST", "octopia/clients"): _put_client,
    ("POST", "octopia/sellers"): _put_seller,
    ("POST", "octopia/tokens/expire"): _expire_octopia_tokens,
    ("GET", "global"): _get_global,
    ("POST", "global"): _set_global,
    ("GET", "stats"): _get_stats,
    ("POST", "reset"): _reset,
}
_ITEM_ROUTES: tuple[tuple[str, str, ItemHandler], ...] = (
    ("PATCH", "accounts/", _patch_account),
    ("PATCH", "octopia/clients/", _patch_client),
)
