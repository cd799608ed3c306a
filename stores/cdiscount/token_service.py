"""Cdiscount's legacy token service (STS): login and password in, token out."""

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime

import requests
from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from stores.cdiscount.endpoints import request_timeouts
from stores.cdiscount.errors import (
    CredentialsRejected,
    ServiceUnavailable,
    UnexpectedAnswer,
)

logger = logging.getLogger(__name__)

# The whole body of a successful answer: a .NET DataContract string holding
# 32 hex characters, with no XML declaration and no surrounding text.
_TOKEN_BODY = re.compile(
    r'\A\s*<string xmlns="http://schemas\.microsoft\.com/2003/10/Serialization/">'
    r"([0-9a-fA-F]{32})</string>\s*\Z"
)


_thread_state = threading.local()


def _thread_session() -> requests.Session:
    """One HTTP session per thread: connections and set-up are reused.

    A session is not safe to share between threads, and building one for
    every request costs more CPU than the request itself once thousands of
    stores renew in a burst.
    """
    session = getattr(_thread_state, "session", None)
    if session is None:
        session = _thread_state.session = requests.Session()
        session.headers["User-Agent"] = "cdauth"
    return session


@dataclass(frozen=True)
class IssuedToken:
    value: str
    issued_at: datetime
    expires_at: datetime

    def __repr__(self) -> str:
        return f"IssuedToken(expires_at={self.expires_at.isoformat()})"


@sensitive_variables("password", "credentials")
def request_token(
    token_url: str,
    login: str,
    password: str,
    *,
    session: requests.Session | None = None,
) -> IssuedToken:
    """Ask the token service for a new token for ``login``.

    The login and password go out exactly as typed, encoded as UTF-8:
    requests would encode ``str`` credentials as latin-1 and fail on ``€``
    or Chinese characters.
    """
    credentials = (login.encode("utf-8"), password.encode("utf-8"))
    http = session or _thread_session()
    issued_at = timezone.now()
    try:
        response = http.get(token_url, auth=credentials, timeout=request_timeouts())
    except requests.Timeout as exc:
        raise ServiceUnavailable("the token service did not answer in time") from exc
    except requests.RequestException as exc:
        raise ServiceUnavailable(
            f"the token service could not be reached ({type(exc).__name__})"
        ) from exc
    return _read_token_answer(response, issued_at)


def _read_token_answer(response: requests.Response, issued_at: datetime) -> IssuedToken:
    status = response.status_code
    if status == 403 and _is_html_page(response):
        # A firewall or bot protection in front of the service, not the
        # service judging the password: calling it a rejected password would
        # stop a working store until someone types the password again.
        raise UnexpectedAnswer(
            "the token service answered HTTP 403 with an HTML page, "
            "as a firewall in front of it does"
        )
    if status in (401, 403):
        raise CredentialsRejected(
            f"the token service refused the login (HTTP {status})"
        )
    if status >= 500:
        raise ServiceUnavailable(f"the token service failed (HTTP {status})")
    match = _TOKEN_BODY.match(response.text) if status == 200 else None
    if match is None:
        content_type = response.headers.get("Content-Type", "?")
        raise UnexpectedAnswer(
            f"the token service answered HTTP {status} ({content_type}) without a token"
        )
    return IssuedToken(
        value=match.group(1).lower(),
        issued_at=issued_at,
        expires_at=issued_at + settings.CDISCOUNT_TOKEN_LIFETIME,
    )


def _is_html_page(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").lower()
    return "html" in content_type or response.text.lstrip()[:15].lower().startswith(
        ("<!doctype html", "<html")
    )
