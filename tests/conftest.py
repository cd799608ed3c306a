import pytest
import requests
from django.contrib.auth import get_user_model

from simulator.server import start_in_thread
from stores.cdiscount import seller_service
from stores.models import Membership, Team

MEMBER_PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def cdiscount_simulator():
    """One simulator on a free loopback port for the whole run."""
    with start_in_thread() as running:
        yield running


@pytest.fixture(autouse=True)
def simulator_url(cdiscount_simulator, settings):
    """Point the ``simulator`` environment at a freshly reset simulator."""
    requests.post(f"{cdiscount_simulator.url}/_simulator/reset", timeout=5)
    settings.CDISCOUNT_SIMULATOR_URL = cdiscount_simulator.url
    yield cdiscount_simulator.url
    # A test may have shortened the timeouts; zeep services built with them
    # must not serve the next test.
    seller_service._service.cache_clear()


@pytest.fixture(autouse=True)
def empty_cache():
    """Start each test with no rate-limit counts left by an earlier one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def simulator_control(simulator_url):
    return SimulatorControl(simulator_url)


class SimulatorControl:
    """The simulator's control API, as the tests use it."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def _call(self, method: str, path: str, **json_body):
        response = requests.request(
            method, f"{self.base_url}/_simulator/{path}", json=json_body, timeout=5
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def add_account(self, login: str, password: str, behaviour: str = "ok", **extra):
        return self._call(
            "POST", "accounts", login=login, password=password, behaviour=behaviour,
            **extra,
        )  # fmt: skip

    def change_account(self, login: str, **changes):
        return self._call("PATCH", f"accounts/{login}", **changes)

    def set_global(self, **override):
        return self._call("POST", "global", **override)

    def expire_tokens(self, login: str):
        return self._call("POST", "tokens/expire", login=login)

    def stats(self) -> dict:
        return self._call("GET", "stats")

    def token_requests(self, login: str) -> int:
        return self.stats()["token_requests"].get(login, 0)

    def add_octopia_client(self, client_id: str, client_secret: str, **extra):
        return self._call(
            "POST", "octopia/clients", client_id=client_id,
            client_secret=client_secret, **extra,
        )  # fmt: skip

    def change_octopia_client(self, client_id: str, **changes):
        return self._call("PATCH", f"octopia/clients/{client_id}", **changes)

    def add_octopia_seller(self, seller_id: str, **extra):
        return self._call("POST", "octopia/sellers", seller_id=seller_id, **extra)

    def expire_octopia_tokens(self, client_id: str):
        return self._call("POST", "octopia/tokens/expire", client_id=client_id)

    def octopia_token_requests(self, client_id: str) -> int:
        return self.stats()["octopia_token_requests"].get(client_id, 0)

    def octopia_seller_requests(self, client_id: str) -> int:
        return self.stats()["octopia_seller_requests"].get(client_id, 0)


@pytest.fixture
def team(db):
    return Team.objects.create(name="Shenzhen Trading")


@pytest.fixture
def member(team):
    user = get_user_model().objects.create_user("lin", password=MEMBER_PASSWORD)
    Membership.objects.create(team=team, user=user)
    return user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def queued_renewals(monkeypatch):
    """Record renewal tasks as they would be sent to the broker."""
    from stores import tasks

    sent = []

    def record(*args, **kwargs):
        sent.append((args, kwargs))

    def record_group(store_ids):
        sent.extend(((store_id,), {}) for store_id in store_ids)

    monkeypatch.setattr(tasks.renew_store_token, "delay", record)
    monkeypatch.setattr(tasks.renew_store_tokens, "delay", record_group)
    return sent


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Put the SQLite test database in a file a worker process can open too."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            settings.LOCAL_DIR / "test.sqlite3"
        )
