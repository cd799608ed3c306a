"""Everything one running simulator remembers, in one object per server."""

import threading

from simulator.accounts import AccountRegistry
from simulator.octopia_registry import OctopiaRegistry
from simulator.stats import RequestStats
from simulator.token_override import TokenOverride, TokenOverrideSetting
from simulator.tokens import TokenStore

OCTOPIA_TOKEN_PREFIX = "sim."  # noqa: S105 - not a secret


class SimulatorState:
    """Registries, issued tokens, fault override and counters of one server."""

    def __init__(self):
        self.accounts = AccountRegistry()
        self.legacy_tokens = TokenStore()
        self.octopia = OctopiaRegistry()
        self.octopia_tokens = TokenStore(prefix=OCTOPIA_TOKEN_PREFIX)
        self.token_override = TokenOverrideSetting()
        self.stats = RequestStats()
        self._stopping = threading.Event()

    def reset(self) -> None:
        """Return to the demo state: no tokens, no fault, no counts."""
        self.accounts.reset()
        self.legacy_tokens.clear()
        self.octopia.reset()
        self.octopia_tokens.clear()
        self.token_override.set(TokenOverride())
        self.stats.reset()

    def pause(self, seconds: float) -> None:
        """Sleep in this request's thread; cut short when the server stops."""
        self._stopping.wait(seconds)

    def wake_sleepers(self) -> None:
        """End every pause at once, so that stopping never waits for a hang."""
        self._stopping.set()
