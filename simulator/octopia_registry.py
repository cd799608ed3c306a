"""Octopia API clients, sellers, and which client may act for which seller."""

import dataclasses
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 7200


class ClientBehaviour(StrEnum):
    """What the simulated Octopia token endpoint does for one client."""

    OK = "ok"
    REJECT = "reject"
    HTML = "html"
    UNAVAILABLE = "unavailable"
    HANG = "hang"


class SellerApiBehaviour(StrEnum):
    """What the simulated seller API does when asked about one seller."""

    OK = "ok"
    HTML = "html"
    UNAVAILABLE = "unavailable"
    HANG = "hang"


@dataclass(frozen=True)
class OctopiaClient:
    """OAuth2 client credentials, as created in Octopia's credentials page."""

    client_id: str
    client_secret: str
    behaviour: ClientBehaviour = ClientBehaviour.OK
    token_lifetime_seconds: float = DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS
    token_latency_ms: int = 0


@dataclass(frozen=True)
class OctopiaSeller:
    """A seller account on the Octopia side, known by its numeric id."""

    seller_id: str
    shop_name: str
    login: str = ""
    api_behaviour: SellerApiBehaviour = SellerApiBehaviour.OK

    def __post_init__(self):
        if not self.login:
            object.__setattr__(self, "login", f"seller-{self.seller_id}")


DEMO_CLIENTS: tuple[OctopiaClient, ...] = (
    OctopiaClient("demo-client", "demo-secret"),
    OctopiaClient("cdauth-platform", "platform-secret"),
)
DEMO_SELLERS: tuple[OctopiaSeller, ...] = (
    OctopiaSeller("100001", "Boutique Octopia"),
    OctopiaSeller("200001", "Plateforme Vendeur Un"),
    OctopiaSeller("200002", "Plateforme Vendeur Deux"),
    OctopiaSeller("200003", "Vendeur Sans Lien"),
)
DEMO_LINKS: frozenset[tuple[str, str]] = frozenset(
    {
        ("demo-client", "100001"),
        ("cdauth-platform", "200001"),
        ("cdauth-platform", "200002"),
    }
)


class OctopiaRegistry:
    """Thread-safe clients, sellers and (client_id, seller_id) links."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every change and hold the demo clients and sellers only."""
        with self._lock:
            self._clients = {client.client_id: client for client in DEMO_CLIENTS}
            self._sellers = {seller.seller_id: seller for seller in DEMO_SELLERS}
            self._links = set(DEMO_LINKS)

    def get_client(self, client_id: str) -> OctopiaClient | None:
        """Return the client with this id, if any."""
        with self._lock:
            return self._clients.get(client_id)

    def put_client(
        self, client: OctopiaClient, seller_ids: Iterable[str] | None = None
    ) -> bool:
        """Create or replace a client, and its sellers if given; True: new."""
        with self._lock:
            is_new = client.client_id not in self._clients
            self._clients[client.client_id] = client
            if seller_ids is not None:
                self._relink_client(client.client_id, seller_ids)
            return is_new

    def update_client(
        self, client_id: str, seller_ids: Iterable[str] | None = None, **changes
    ) -> OctopiaClient | None:
        """Change an existing client; return None when it is unknown."""
        with self._lock:
            current = self._clients.get(client_id)
            if current is None:
                return None
            updated = dataclasses.replace(current, **changes)
            self._clients[client_id] = updated
            if seller_ids is not None:
                self._relink_client(client_id, seller_ids)
            return updated

    def get_seller(self, seller_id: str) -> OctopiaSeller | None:
        """Return the seller with this id, if any."""
        with self._lock:
            return self._sellers.get(seller_id)

    def put_seller(
        self, seller: OctopiaSeller, client_ids: Iterable[str] | None = None
    ) -> bool:
        """Create or replace a seller, and its clients if given; True: new."""
        with self._lock:
            is_new = seller.seller_id not in self._sellers
            self._sellers[seller.seller_id] = seller
            if client_ids is not None:
                self._links = {
                    link for link in self._links if link[1] != seller.seller_id
                }
                self._links.update((client, seller.seller_id) for client in client_ids)
            return is_new

    def is_linked(self, client_id: str, seller_id: str) -> bool:
        """Say whether the client may act for the seller."""
        with self._lock:
            return (client_id, seller_id) in self._links

    def seller_ids_of(self, client_id: str) -> list[str]:
        """Return the sellers a client may act for, sorted."""
        with self._lock:
            return sorted(
                seller for client, seller in self._links if client == client_id
            )

    def client_ids_of(self, seller_id: str) -> list[str]:
        """Return the clients that may act for a seller, sorted."""
        with self._lock:
            return sorted(
                client for client, seller in self._links if seller == seller_id
            )

    def _relink_client(self, client_id: str, seller_ids: Iterable[str]) -> None:
        # Callers hold the lock: replacing one client's links must be atomic.
        self._links = {link for link in self._links if link[0] != client_id}
        self._links.update((client_id, seller) for seller in seller_ids)
