"""Request counters that tests read to check what a client really sent."""

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

UNATTRIBUTED = "(unknown)"


class RequestStats:
    """Thread-safe counts per login or client, and peak token concurrency."""

    def __init__(self):
        self._lock = threading.Lock()
        # In-flight requests survive a reset, so the gauge is never zeroed.
        self._token_requests_in_flight = 0
        self.reset()

    def reset(self) -> None:
        """Zero every counter; the peak restarts from what is in flight now."""
        with self._lock:
            self._token_requests: Counter[str] = Counter()
            self._soap_requests: Counter[str] = Counter()
            self._octopia_token_requests: Counter[str] = Counter()
            self._octopia_seller_requests: Counter[str] = Counter()
            self._token_requests_max = self._token_requests_in_flight

    def count_token_request(self, login: str | None) -> None:
        """Count a legacy token request under the login it presented."""
        self._increment(self._token_requests, login)

    def count_soap_request(self, login: str | None) -> None:
        """Count a SOAP request under the login its token belongs to."""
        self._increment(self._soap_requests, login)

    def count_octopia_token_request(self, client_id: str | None) -> None:
        """Count an Octopia token request under the client id it presented."""
        self._increment(self._octopia_token_requests, client_id)

    def count_octopia_seller_request(self, client_id: str | None) -> None:
        """Count an Octopia sellers request under its bearer token's client."""
        self._increment(self._octopia_seller_requests, client_id)

    @contextmanager
    def token_request_in_flight(self) -> Iterator[None]:
        """Track one legacy token request while it is being answered."""
        with self._lock:
            self._token_requests_in_flight += 1
            self._token_requests_max = max(
                self._token_requests_max, self._token_requests_in_flight
            )
        try:
            yield
        finally:
            with self._lock:
                self._token_requests_in_flight -= 1

    def snapshot(self) -> dict:
        """Return every counter as plain JSON-ready values."""
        with self._lock:
            return {
                "token_requests": dict(self._token_requests),
                "soap_requests": dict(self._soap_requests),
                "octopia_token_requests": dict(self._octopia_token_requests),
                "octopia_seller_requests": dict(self._octopia_seller_requests),
                "concurrent_token_requests_max": self._token_requests_max,
                "concurrent_token_requests_now": self._token_requests_in_flight,
            }

    def _increment(self, counter: Counter[str], key: str | None) -> None:
        with self._lock:
            counter[key or UNATTRIBUTED] += 1
