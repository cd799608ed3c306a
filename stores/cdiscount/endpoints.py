"""Where each Cdiscount environment's legacy services live."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from stores.environments import Environment

_PRODUCTION_SOAP = "https://wsvc.cdiscount.com/MarketplaceAPIService.svc"
_PREPRODUCTION_SOAP = "https://wsvc.preprod-cdiscount.com/MarketplaceAPIService.svc"
# A URL path on the token service, not a password.
TOKEN_PATH = "/users/httpIssue.svc/"  # noqa: S105
SOAP_PATH = "/MarketplaceAPIService.svc"


@dataclass(frozen=True)
class LegacyEndpoints:
    token_url: str
    soap_url: str


def _token_url(sts_base: str, realm: str) -> str:
    return f"{sts_base}{TOKEN_PATH}?realm={realm}"


def legacy_endpoints(environment: str) -> LegacyEndpoints:
    """Return the token and SOAP URLs of ``environment``."""
    if environment == Environment.PRODUCTION:
        return LegacyEndpoints(
            _token_url("https://sts.cdiscount.com", _PRODUCTION_SOAP), _PRODUCTION_SOAP
        )
    if environment == Environment.PREPRODUCTION:
        return LegacyEndpoints(
            _token_url("https://sts.preprod-cdiscount.com", _PREPRODUCTION_SOAP),
            _PREPRODUCTION_SOAP,
        )
    if environment == Environment.SIMULATOR:
        base = settings.CDISCOUNT_SIMULATOR_URL
        if not base:
            raise ImproperlyConfigured("CDISCOUNT_SIMULATOR_URL is not set.")
        # The simulator takes the same realm as the production service.
        return LegacyEndpoints(_token_url(base, _PRODUCTION_SOAP), base + SOAP_PATH)
    raise ValueError(f"unknown environment {environment!r}")


def request_timeouts() -> tuple[float, float]:
    """Return the (connect, read) timeout used for every call to Cdiscount."""
    return settings.CDISCOUNT_CONNECT_TIMEOUT, settings.CDISCOUNT_READ_TIMEOUT
