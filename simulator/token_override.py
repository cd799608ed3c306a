"""A service-wide fault applied to every token request, whoever asks."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from simulator.exchange import Response, gateway_timeout, service_unavailable

HANG_SECONDS = 120.0


class TokenOutage(StrEnum):
    """How the token services fail while an override is set."""

    UNAVAILABLE = "unavailable"
    HANG = "hang"
    REFUSE = "refuse"


@dataclass(frozen=True)
class TokenOverride:
    """The current override; the default one changes nothing."""

    outage: TokenOutage | None = None
    latency_ms: int = 0

    def public_view(self) -> dict:
        """Describe the override in the control API's field names."""
        return {
            "token_behaviour": self.outage.value if self.outage else None,
            "token_latency_ms": self.latency_ms,
        }


class TokenOverrideSetting:
    """Thread-safe holder of the current override."""

    def __init__(self):
        self._lock = threading.Lock()
        self._override = TokenOverride()

    def get(self) -> TokenOverride:
        """Return the override in force."""
        with self._lock:
            return self._override

    def set(self, override: TokenOverride) -> None:
        """Replace the override in force."""
        with self._lock:
            self._override = override


def answer_token_override(
    override: TokenOverride, pause: Callable[[float], None]
) -> Response | None:
    """Wait the override's latency, then return its failure (None: go on)."""
    if override.latency_ms:
        pause(override.latency_ms / 1000)
    if override.outage is TokenOutage.UNAVAILABLE:
        return service_unavailable()
    if override.outage is TokenOutage.HANG:
        pause(HANG_SECONDS)
        return gateway_timeout()
    if override.outage is TokenOutage.REFUSE:
        return Response.dropped()
    return None
