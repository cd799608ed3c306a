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
    """Cdiscount answered something we do not recognise, such as an HTML page."""


class ServiceRetired(CdiscountError):
    """The SOAP service answered 404 or 410: the endpoint is gone."""


class TokenRejected(CdiscountError):
    """The SOAP service does not know the token: renew it once and retry once."""


class AccountNotUsable(CdiscountError):
    """The credentials work but Cdiscount says the account cannot be used.

    ``cdiscount_message`` keeps Cdiscount's own words (often French) intact so
    that they can be shown to the seller as they were sent.
    """

    def __init__(self, reason: str, cdiscount_message: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.cdiscount_message = cdiscount_message
