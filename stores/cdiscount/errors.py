"""What can go wrong when cdauth talks to Cdiscount, as a small hierarchy.

Callers decide on the class alone: rejected credentials are never retried
(repeated failed logins can lock a seller's account), an unavailable service
is retried later, and an unexpected answer is retried later and alerted on.
"""


class CdiscountError(Exception):
    """Base class; the message never contains a credential or a token."""


class CredentialsRejected(CdiscountError):
    """The token service refused the API login or password (401 or 403)."""


class ServiceUnavailable(CdiscountError):
    """Cdiscount could not be reached or answered with a server error."""


class UnexpectedAnswer(CdiscountError):
    """Cdiscount gave an answer we do not recognise, such as an HTML page."""


class ServiceRetired(CdiscountError):
    """The SOAP service answered 404 or 410: the endpoint is gone."""


class TokenRejected(CdiscountError):
    """The SOAP service does not know the token: renew and retry, once each."""


class AccountNotUsable(CdiscountError):
    """The credentials work but Cdiscount says the account cannot be used.

    ``cdiscount_message`` keeps Cdiscount's own words (often French) intact so
    that they can be shown to the seller as they were sent.
    """

    def __init__(self, reason: str, cdiscount_message: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.cdiscount_message = cdiscount_message


class ClientCredentialsRejected(CredentialsRejected):
    """Octopia's token endpoint refused a client ID or client secret."""


class PlatformClientUnusable(ServiceUnavailable):
    """cdauth's own Octopia client cannot get a token: it is unset or refused.

    No seller can fix that, so delegated stores are retried later instead of
    being marked for re-authorization; an administrator fixes the settings.
    """


class SellerNotFound(AccountNotUsable):
    """Octopia knows no seller with this SellerId."""

    def __init__(self, seller_id: str):
        super().__init__("seller_not_found")
        self.seller_id = seller_id

    def __str__(self) -> str:
        return f"Octopia knows no seller with SellerId {self.seller_id}"


class SellerNotLinked(AccountNotUsable):
    """The seller exists, but the client that asked may not act for it.

    For delegated access this means the seller has not linked cdauth's client
    ID in Octopia's API Credentials Management page yet.
    """

    def __init__(self, seller_id: str, client_id: str = "", *, delegated=False):
        super().__init__("seller_not_linked")
        self.seller_id = seller_id
        self.client_id = client_id
        self.delegated = delegated

    def __str__(self) -> str:
        return (
            f"SellerId {self.seller_id} is not linked to the client "
            f"{self.client_id or '(unknown)'}"
        )


class SellerAccessRefused(AccountNotUsable):
    """Octopia refused the call for this seller (401 or 403), reason unsaid."""

    def __init__(self, seller_id: str, status: int):
        super().__init__("seller_access_refused")
        self.seller_id = seller_id
        self.status = status

    def __str__(self) -> str:
        return (
            f"Octopia refused access to SellerId {self.seller_id} (HTTP {self.status})"
        )
