"""``GetSellerInformation`` on Cdiscount's legacy SOAP service, via zeep."""

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import requests
import zeep
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError, XMLSyntaxError

from stores.cdiscount.endpoints import request_timeouts
from stores.cdiscount.errors import (
    AccountNotUsable,
    ServiceRetired,
    ServiceUnavailable,
    TokenRejected,
    UnexpectedAnswer,
)

logger = logging.getLogger(__name__)

CONTRACT = Path(__file__).parent / "contract" / "seller_information.wsdl"
BINDING = "{http://tempuri.org/}BasicHttpBinding_IMarketplaceAPIService"

# The marketplace header the service expects on every call: site 100 and
# catalogue 1 are Cdiscount's French marketplace.
_CONTEXT = {"CatalogID": 1, "SiteID": 100}
_LOCALIZATION = {"Country": "Fr", "Currency": "Eur", "Language": "Fr"}


class NotUsable:
    """Reasons Cdiscount gives for an account that cannot be used."""

    DEACTIVATED = "deactivated"
    BANNED = "banned"
    NOT_AUTHORIZED = "not_authorized"
    REFUSED = "operation_refused"


@dataclass(frozen=True)
class SellerInformation:
    seller_login: str
    shop_name: str
    state: str
    availability: str


class _ClassifyingTransport(zeep.Transport):
    """Turn HTTP answers that carry no SOAP envelope into our errors.

    zeep reads every non-200 body as a possible fault; 404, 410 and the 5xx
    that are not 500 never carry one, and saying so early keeps "service
    retired" apart from "service unavailable".
    """

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        status = response.status_code
        if status in (404, 410):
            raise ServiceRetired(f"the SOAP service answered HTTP {status}")
        if status > 500:
            raise ServiceUnavailable(f"the SOAP service failed (HTTP {status})")
        return response


@functools.lru_cache(maxsize=8)
def _service(soap_url: str):
    """Build the zeep service for ``soap_url`` once per process."""
    connect_timeout, read_timeout = request_timeouts()
    transport = _ClassifyingTransport(
        timeout=connect_timeout, operation_timeout=read_timeout
    )
    transport.session.headers["User-Agent"] = "cdauth"
    # Not strict: an element Cdiscount adds one day must not break the check.
    settings = zeep.Settings(strict=False, xml_huge_tree=False)
    client = zeep.Client(str(CONTRACT), transport=transport, settings=settings)
    return client.create_service(BINDING, soap_url)


def build_header(token: str) -> dict:
    return {
        "Context": _CONTEXT,
        "Localization": _LOCALIZATION,
        "Security": {
            "DomainRightsList": None,
            "IssuerID": None,
            "SessionID": None,
            "TokenId": token,
            "UserName": "",
        },
        "Version": "1.0",
    }


def get_seller_information(soap_url: str, token: str) -> SellerInformation:
    """Call ``GetSellerInformation``: return the seller, or raise why not."""
    try:
        result = _service(soap_url).GetSellerInformation(
            headerMessage=build_header(token)
        )
    except Fault as fault:
        raise classify_fault(fault.code or "", fault.message or "") from None
    except requests.Timeout as exc:
        raise ServiceUnavailable("the SOAP service did not answer in time") from exc
    except requests.RequestException as exc:
        raise ServiceUnavailable(
            f"the SOAP service could not be reached ({type(exc).__name__})"
        ) from exc
    except TransportError as exc:
        if exc.status_code and exc.status_code >= 500:
            raise ServiceUnavailable(
                f"the SOAP service failed (HTTP {exc.status_code})"
            ) from None
        raise UnexpectedAnswer(
            f"the SOAP service answered HTTP {exc.status_code} without SOAP"
        ) from None
    except (XMLSyntaxError, ZeepError) as exc:
        raise UnexpectedAnswer(
            f"the SOAP answer could not be read ({type(exc).__name__})"
        ) from None
    return read_seller_message(result)


def classify_fault(code: str, message: str) -> Exception:
    """Map a SOAP fault to the error a caller acts on."""
    if code.endswith("RequestTokenValidationError"):
        if "not authorized" in message.lower():
            return AccountNotUsable(NotUsable.NOT_AUTHORIZED, message)
        return TokenRejected(message)
    return UnexpectedAnswer(f"the SOAP service answered a fault {code}: {message}")


def check_operation_success(result) -> None:
    """Raise when a service message says the operation was refused.

    Every answer of the service extends the same base message; a refusal is
    an HTTP 200 with ``OperationSuccess`` false and a message in French,
    which is kept exactly as sent.
    """
    if result is None:
        raise UnexpectedAnswer("the SOAP answer holds no result message")
    if not result.OperationSuccess:
        raise AccountNotUsable(NotUsable.REFUSED, result.ErrorMessage or "")


def read_seller_message(result) -> SellerInformation:
    """Check a ``SellerMessage`` and return the seller it describes."""
    check_operation_success(result)
    seller = result.Seller
    if seller is None:
        raise UnexpectedAnswer("the SOAP answer holds no seller")
    if seller.State == "Deactivated":
        raise AccountNotUsable(NotUsable.DEACTIVATED)
    if seller.IsAvailable == "BannedSeller":
        raise AccountNotUsable(NotUsable.BANNED)
    return SellerInformation(
        seller_login=result.SellerLogin or seller.Login or "",
        shop_name=seller.ShopName or "",
        state=seller.State or "",
        availability=seller.IsAvailable or "",
    )
