"""Octopia's REST API: OAuth2 client-credentials tokens and the seller lookup.

Tokens come from oauthlib through requests-oauthlib, never from our own
OAuth2 code. A compliance hook reads the HTTP answer first, so that a refused
client, an outage and a web page in place of JSON reach callers as the same
small hierarchy the legacy clients raise.

Octopia does not publish its error codes. The codes read here
(``seller_not_found``, ``seller_not_linked``) are the simulator's, and any
other 401 or 403 on the seller API counts as refused access: an assumption
to revisit when a real refusal has been recorded.
"""

import logging
import os
import re
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from oauthlib.oauth2 import BackendApplicationClient, OAuth2Error
from requests_oauthlib import OAuth2Session

from stores.cdiscount.endpoints import request_timeouts
from stores.cdiscount.errors import (
    ClientCredentialsRejected,
    SellerAccessRefused,
    SellerNotFound,
    SellerNotLinked,
    ServiceUnavailable,
    TokenRejected,
    UnexpectedAnswer,
)
from stores.cdiscount.token_service import IssuedToken
from stores.environments import Environment

logger = logging.getLogger(__name__)

TOKEN_PATH = "/auth/realms/maas/protocol/openid-connect/token"  # noqa: S105 - a path
API_PATH = "/seller/v2"
_PRODUCTION_AUTH = "https://auth.octopia-io.net"
_PRODUCTION_API = "https://api.octopia-io.net"

# Error codes are echoed into messages only when they look like codes, so
# that a server can never put arbitrary text (or a secret) into a log line.
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_REJECTED_CLIENT_CODES = {"invalid_client", "unauthorized_client"}


@dataclass(frozen=True)
class OctopiaEndpoints:
    token_url: str
    api_base: str


@dataclass(frozen=True)
class OctopiaSeller:
    seller_id: str
    shop_name: str
    login: str
    status: str


def octopia_endpoints(environment: str) -> OctopiaEndpoints:
    """Return the token URL and seller API base of ``environment``."""
    production = OctopiaEndpoints(
        _PRODUCTION_AUTH + TOKEN_PATH, _PRODUCTION_API + API_PATH
    )
    if environment == Environment.PRODUCTION:
        return production
    if environment == Environment.PREPRODUCTION:
        # Assumption: Octopia publishes no separate pre-production hosts, so
        # pre-production stores use the production API.
        return production
    if environment == Environment.SIMULATOR:
        base = settings.CDISCOUNT_SIMULATOR_URL
        if not base:
            raise ImproperlyConfigured("CDISCOUNT_SIMULATOR_URL is not set.")
        return OctopiaEndpoints(base + TOKEN_PATH, base + API_PATH)
    raise ValueError(f"unknown environment {environment!r}")


def _admit_plain_http_to_the_simulator(token_url: str) -> None:
    # oauthlib refuses http:// unless this variable is set. The simulator is
    # the only http URL we ever build (every Octopia URL above is https), so
    # the variable is set once, for it alone, and never unset again.
    simulator = settings.CDISCOUNT_SIMULATOR_URL
    if simulator.startswith("http://") and token_url.startswith(simulator + "/"):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def _error_code(payload: dict | None) -> str:
    code = (payload or {}).get("error") or (payload or {}).get("code") or ""
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else ""


def _json_object(response: requests.Response) -> dict | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _classify_token_answer(response: requests.Response) -> requests.Response:
    """Raise our error for an answer with no token; oauthlib reads the rest."""
    status = response.status_code
    if status >= 500:
        raise ServiceUnavailable(f"the Octopia token endpoint failed (HTTP {status})")
    payload = _json_object(response)
    if payload is None:
        content_type = response.headers.get("Content-Type", "?")
        raise UnexpectedAnswer(
            f"the Octopia token endpoint answered HTTP {status} ({content_type}) "
            "without JSON"
        )
    code = _error_code(payload)
    if status in (401, 403) or code in _REJECTED_CLIENT_CODES:
        raise ClientCredentialsRejected(
            f"the Octopia token endpoint refused the client "
            f"(HTTP {status}, {code or 'no error code'})"
        )
    if status != 200:
        raise UnexpectedAnswer(
            f"the Octopia token endpoint answered HTTP {status} "
            f"({code or 'no error code'})"
        )
    return response


@sensitive_variables("client_secret", "answer")
def request_client_token(
    token_url: str, client_id: str, client_secret: str
) -> IssuedToken:
    """Get a client-credentials token; its lifetime is ``expires_in``."""
    _admit_plain_http_to_the_simulator(token_url)
    issued_at = timezone.now()
    with OAuth2Session(client=BackendApplicationClient(client_id=client_id)) as http:
        http.headers["User-Agent"] = "cdauth"
        http.register_compliance_hook("access_token_response", _classify_token_answer)
        try:
            answer = http.fetch_token(
                token_url,
                client_id=client_id,
                client_secret=client_secret,
                include_client_id=True,
                timeout=request_timeouts(),
            )
        except requests.Timeout as exc:
            raise ServiceUnavailable(
                "the Octopia token endpoint did not answer in time"
            ) from exc
        except requests.RequestException as exc:
            raise ServiceUnavailable(
                "the Octopia token endpoint could not be reached "
                f"({type(exc).__name__})"
            ) from exc
        except (OAuth2Error, Warning) as exc:
            # oauthlib's errors can carry the request; only the class is kept.
            raise UnexpectedAnswer(
                f"the Octopia token answer could not be read ({type(exc).__name__})"
            ) from None
    access_token = answer.get("access_token")
    expires_in = answer.get("expires_in")
    if not isinstance(access_token, str) or not access_token:
        raise UnexpectedAnswer("the Octopia token answer holds no access token")
    if not isinstance(expires_in, int) or expires_in <= 0:
        raise UnexpectedAnswer("the Octopia token answer holds no usable expires_in")
    return IssuedToken(
        value=access_token,
        issued_at=issued_at,
        expires_at=issued_at + timedelta(seconds=expires_in),
    )


@sensitive_variables("token", "headers")
def get_seller(api_base: str, token: str, seller_id: str) -> OctopiaSeller:
    """Return the seller behind ``seller_id`` (``GET /sellers``), or raise."""
    headers = {
        "Authorization": f"Bearer {token}",
        "SellerId": seller_id,
        "Accept": "application/json",
        "User-Agent": "cdauth",
    }
    try:
        response = requests.get(
            f"{api_base}/sellers", headers=headers, timeout=request_timeouts()
        )
    except requests.Timeout as exc:
        raise ServiceUnavailable(
            "the Octopia seller API did not answer in time"
        ) from exc
    except requests.RequestException as exc:
        raise ServiceUnavailable(
            f"the Octopia seller API could not be reached ({type(exc).__name__})"
        ) from exc
    return read_seller_answer(response, seller_id)


def read_seller_answer(response: requests.Response, seller_id: str) -> OctopiaSeller:
    """Turn an answer of ``GET /sellers`` into a seller, or raise our error."""
    status = response.status_code
    if status >= 500:
        raise ServiceUnavailable(f"the Octopia seller API failed (HTTP {status})")
    payload = _json_object(response)
    if payload is None:
        content_type = response.headers.get("Content-Type", "?")
        raise UnexpectedAnswer(
            f"the Octopia seller API answered HTTP {status} ({content_type}) "
            "without JSON"
        )
    code = _error_code(payload)
    if status == 401:
        raise TokenRejected("the Octopia seller API refused the token (HTTP 401)")
    if status == 403:
        if code == "seller_not_linked":
            raise SellerNotLinked(seller_id)
        raise SellerAccessRefused(seller_id, status)
    if status == 404 or code in ("seller_not_found", "invalid_seller_id"):
        raise SellerNotFound(seller_id)
    if status != 200:
        raise UnexpectedAnswer(
            f"the Octopia seller API answered HTTP {status} ({code or 'no code'})"
        )
    return _read_seller(payload, seller_id)


def _read_seller(payload: dict, seller_id: str) -> OctopiaSeller:
    answered_id = str(payload.get("id", payload.get("sellerId", "")))
    if answered_id != seller_id:
        raise UnexpectedAnswer("the Octopia seller API answered for another seller")

    def text(*names: str) -> str:
        for name in names:
            value = payload.get(name)
            if isinstance(value, str):
                return value
        return ""

    return OctopiaSeller(
        seller_id=seller_id,
        shop_name=text("shopName", "name"),
        login=text("login"),
        status=text("status"),
    )
