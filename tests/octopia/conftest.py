import pytest

PLATFORM_CLIENT_ID = "cdauth-platform"
PLATFORM_CLIENT_SECRET = "platform-secret"
OWN_CLIENT_ID = "demo-client"
OWN_CLIENT_SECRET = "demo-secret"
OWN_SELLER_ID = "100001"
DELEGATED_SELLER_IDS = ("200001", "200002")
UNLINKED_SELLER_ID = "200003"


@pytest.fixture(autouse=True)
def platform_client(settings):
    """cdauth's own Octopia client is the simulator's platform client."""
    settings.OCTOPIA_CLIENT_ID = PLATFORM_CLIENT_ID
    settings.OCTOPIA_CLIENT_SECRET = PLATFORM_CLIENT_SECRET
