"""Legacy API accounts (API login and password) and how each one misbehaves."""

import dataclasses
import threading
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_TOKEN_LIFETIME_SECONDS = 48 * 3600
DEMO_PASSWORD = "Demo-2024!"  # noqa: S105 - published demo credential


class Behaviour(StrEnum):
    """What the simulated services do for one account."""

    # Token service side.
    OK = "ok"
    REJECT = "reject"
    HTML = "html"
    # A firewall in front of the service refuses this machine's address.
    FIREWALL = "firewall"
    UNAVAILABLE = "unavailable"
    HANG = "hang"
    # SOAP service side: the token is issued normally.
    DEACTIVATED = "deactivated"
    BANNED = "banned"
    NOT_AUTHORIZED = "not_authorized"
    OPERATION_FALSE = "operation_false"
    SOAP_RETIRED = "soap_retired"
    SOAP_UNAVAILABLE = "soap_unavailable"
    SOAP_HANG = "soap_hang"


@dataclass(frozen=True)
class Account:
    """One legacy API user; immutable, so no reader sees a half-made change."""

    login: str
    password: str
    behaviour: Behaviour = Behaviour.OK
    shop_name: str = ""
    seller_login: str = ""
    token_lifetime_seconds: float = DEFAULT_TOKEN_LIFETIME_SECONDS
    token_latency_ms: int = 0

    def __post_init__(self):
        # The seller's own login is the API login without its "-api" suffix.
        if not self.seller_login:
            object.__setattr__(self, "seller_login", self.login.removesuffix("-api"))
        if not self.shop_name:
            object.__setattr__(self, "shop_name", f"Boutique {self.seller_login}")

    def public_view(self) -> dict:
        """Describe the account for the control API, without its password."""
        view = dataclasses.asdict(self)
        del view["password"]
        return view


def _demo(login: str, behaviour: Behaviour, shop_name: str = "", **options) -> Account:
    return Account(login, DEMO_PASSWORD, behaviour, shop_name, **options)


DEMO_ACCOUNTS: tuple[Account, ...] = (
    _demo("demo-shop-api", Behaviour.OK, "Boutique Démo"),
    Account("second-shop-api", "Second-2024!", Behaviour.OK, "Maison Exemple"),
    _demo("rejected-api", Behaviour.REJECT),
    _demo("html-api", Behaviour.HTML),
    _demo("firewall-api", Behaviour.FIREWALL),
    _demo("unavailable-api", Behaviour.UNAVAILABLE),
    _demo("hang-api", Behaviour.HANG),
    _demo("deactivated-api", Behaviour.DEACTIVATED),
    _demo("banned-api", Behaviour.BANNED),
    _demo("notauthorized-api", Behaviour.NOT_AUTHORIZED),
    _demo("operationfalse-api", Behaviour.OPERATION_FALSE),
    _demo("retired-api", Behaviour.SOAP_RETIRED),
    _demo("shortlived-api", Behaviour.OK, token_lifetime_seconds=120),
)


def _key(login: str) -> str:
    # cdauth assumes Cdiscount matches API logins without regard to case, as
    # it does for seller logins in the back office; the simulator does too.
    return login.casefold()


class AccountRegistry:
    """Thread-safe set of accounts, keyed by API login in any case."""

    def __init__(self):
        self._lock = threading.Lock()
        self._accounts: dict[str, Account] = {}
        self.reset()

    def reset(self) -> None:
        """Forget every change and hold the demo accounts only."""
        with self._lock:
            self._accounts = {_key(account.login): account for account in DEMO_ACCOUNTS}

    def get(self, login: str) -> Account | None:
        """Return the account with this API login, if any."""
        with self._lock:
            return self._accounts.get(_key(login))

    def put(self, account: Account) -> bool:
        """Create or replace an account; return True when it is new."""
        with self._lock:
            is_new = _key(account.login) not in self._accounts
            self._accounts[_key(account.login)] = account
            return is_new

    def update(self, login: str, **changes) -> Account | None:
        """Change fields of an existing account; None when it is unknown."""
        with self._lock:
            current = self._accounts.get(_key(login))
            if current is None:
                return None
            updated = dataclasses.replace(current, **changes)
            self._accounts[_key(login)] = updated
            return updated

    def all(self) -> list[Account]:
        """Return every account, sorted by login."""
        with self._lock:
            return sorted(self._accounts.values(), key=lambda account: account.login)
