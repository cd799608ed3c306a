"""Plain request and response values passed between server and endpoints."""

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON_CONTENT_TYPE = "application/json"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"
PLAIN_CONTENT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Request:
    """An HTTP request, already read off the socket."""

    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    client_host: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        """Return a header value, looking the name up case-insensitively."""
        return self.headers.get(name.lower())

    def query(self) -> dict[str, list[str]]:
        """Return the decoded query string."""
        return parse_qs(self.query_string, keep_blank_values=True)

    def json(self) -> Any:
        """Return the decoded JSON body; raise ValueError if it is not JSON."""
        if not self.body.strip():
            return {}
        return json.loads(self.body.decode("utf-8"))


@dataclass(frozen=True)
class Response:
    """An HTTP answer, or an instruction to drop the connection unanswered."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    drop_connection: bool = False

    @classmethod
    def json(
        cls,
        status: int,
        payload: Any,
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> "Response":
        """Answer with a UTF-8 JSON document."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return cls(status, body, JSON_CONTENT_TYPE, extra_headers)

    @classmethod
    def text(cls, status: int, text: str, content_type: str) -> "Response":
        """Answer with text encoded as UTF-8 under the given content type."""
        return cls(status, text.encode("utf-8"), content_type)

    @classmethod
    def dropped(cls) -> "Response":
        """Close the connection without sending a single byte."""
        return cls(0, drop_connection=True)


def html_page(status: int, title: str, message: str) -> Response:
    """Answer with a minimal HTML page, as a front server or proxy would."""
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{message}</p></body></html>\n"
    )
    return Response.text(status, page, HTML_CONTENT_TYPE)


def service_unavailable() -> Response:
    """Answer 503 the way an overloaded front server does."""
    return html_page(503, "Service Unavailable", "The service is unavailable.")


def gateway_timeout() -> Response:
    """Answer 504, which is what finally comes back after a hang."""
    return html_page(504, "Gateway Timeout", "The upstream server did not answer.")


def not_found() -> Response:
    """Answer 404 with an HTML page, like IIS does for an unknown resource."""
    return html_page(404, "Not Found", "The resource cannot be found.")


def method_not_allowed(allowed: str) -> Response:
    """Answer 405 and name the methods that the path accepts."""
    page = html_page(405, "Method Not Allowed", "The method is not allowed here.")
    return Response(
        page.status, page.body, page.content_type, extra_headers=(("Allow", allowed),)
    )


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """Return (login, password) from a Basic header, or None if it is unusable.

    The bytes are read as UTF-8 because passwords may hold any character, and
    only the first colon separates: a login has none, a password may.
    """
    if not header:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, colon, password = decoded.partition(":")
    if not colon or not login:
        return None
    return login, password
