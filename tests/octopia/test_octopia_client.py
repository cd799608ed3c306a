import logging
import time
from datetime import timedelta

import pytest

from stores.cdiscount import octopia
from stores.cdiscount.errors import (
    ClientCredentialsRejected,
    SellerNotFound,
    SellerNotLinked,
    ServiceUnavailable,
    TokenRejected,
    UnexpectedAnswer,
)

from .conftest import OWN_CLIENT_ID, OWN_CLIENT_SECRET, OWN_SELLER_ID


@pytest.fixture
def endpoints(simulator_url):
    return octopia.octopia_endpoints("simulator")


def own_token(endpoints, secret=OWN_CLIENT_SECRET):
    return octopia.request_client_token(endpoints.token_url, OWN_CLIENT_ID, secret)


class TestEndpoints:
    def test_production_uses_octopias_hosts(self):
        endpoints = octopia.octopia_endpoints("production")

        assert endpoints.token_url == (
            "https://auth.octopia-io.net/auth/realms/maas/protocol/openid-connect/token"
        )
        assert endpoints.api_base == "https://api.octopia-io.net/seller/v2"

    def test_preproduction_reuses_production(self):
        assert octopia.octopia_endpoints("preproduction") == (
            octopia.octopia_endpoints("production")
        )

    def test_simulator_serves_both_under_its_base_url(self, simulator_url):
        endpoints = octopia.octopia_endpoints("simulator")

        assert endpoints.token_url == (
            f"{simulator_url}/auth/realms/maas/protocol/openid-connect/token"
        )
        assert endpoints.api_base == f"{simulator_url}/seller/v2"


class TestClientToken:
    def test_token_lifetime_comes_from_expires_in(self, endpoints, simulator_control):
        simulator_control.change_octopia_client(
            OWN_CLIENT_ID, token_lifetime_seconds=300
        )

        token = own_token(endpoints)

        assert token.expires_at - token.issued_at == timedelta(seconds=300)
        assert token.value
        assert simulator_control.octopia_token_requests(OWN_CLIENT_ID) == 1

    def test_repr_never_shows_the_token(self, endpoints):
        token = own_token(endpoints)

        assert token.value not in repr(token)

    @pytest.mark.parametrize(
        ("client_id", "secret"),
        [(OWN_CLIENT_ID, "wrong-secret"), ("unknown-client", OWN_CLIENT_SECRET)],
    )
    def test_refused_client_is_rejected_credentials(self, endpoints, client_id, secret):
        with pytest.raises(ClientCredentialsRejected) as caught:
            octopia.request_client_token(endpoints.token_url, client_id, secret)

        assert secret not in str(caught.value)
        assert "401" in str(caught.value)

    def test_client_set_to_reject_is_rejected(self, endpoints, simulator_control):
        simulator_control.change_octopia_client(OWN_CLIENT_ID, behaviour="reject")

        with pytest.raises(ClientCredentialsRejected):
            own_token(endpoints)

    def test_html_page_is_an_unexpected_answer(self, endpoints, simulator_control):
        simulator_control.change_octopia_client(OWN_CLIENT_ID, behaviour="html")

        with pytest.raises(UnexpectedAnswer, match="without JSON"):
            own_token(endpoints)

    def test_server_error_is_unavailable(self, endpoints, simulator_control):
        simulator_control.change_octopia_client(OWN_CLIENT_ID, behaviour="unavailable")

        with pytest.raises(ServiceUnavailable, match="HTTP 503"):
            own_token(endpoints)

    def test_dropped_connection_is_unavailable(self, endpoints, simulator_control):
        simulator_control.set_global(token_behaviour="refuse")

        with pytest.raises(ServiceUnavailable, match="could not be reached"):
            own_token(endpoints)

    def test_hanging_endpoint_gives_up_at_the_read_timeout(
        self, endpoints, simulator_control, settings
    ):
        settings.CDISCOUNT_READ_TIMEOUT = 0.5
        simulator_control.change_octopia_client(OWN_CLIENT_ID, behaviour="hang")

        started = time.monotonic()
        with pytest.raises(ServiceUnavailable, match="in time"):
            own_token(endpoints)

        assert time.monotonic() - started < 3

    def test_every_call_carries_the_configured_timeouts(
        self, endpoints, monkeypatch, settings
    ):
        settings.CDISCOUNT_CONNECT_TIMEOUT = 1.5
        settings.CDISCOUNT_READ_TIMEOUT = 4.5
        seen = []
        original = octopia.OAuth2Session.request

        def spy(self, *args, timeout=None, **kwargs):
            seen.append(timeout)
            return original(self, *args, timeout=timeout, **kwargs)

        monkeypatch.setattr(octopia.OAuth2Session, "request", spy)
        own_token(endpoints)

        assert seen == [(1.5, 4.5)]

    def test_nothing_secret_is_logged_even_at_debug_level(self, endpoints, caplog):
        caplog.set_level(logging.DEBUG)

        token = own_token(endpoints)
        with pytest.raises(ClientCredentialsRejected):
            own_token(endpoints, secret="wrong-but-secret")

        assert OWN_CLIENT_SECRET not in caplog.text
        assert "wrong-but-secret" not in caplog.text
        assert token.value not in caplog.text


class TestSeller:
    def test_linked_seller_gives_its_id_and_shop_name(self, endpoints):
        seller = octopia.get_seller(
            endpoints.api_base, own_token(endpoints).value, OWN_SELLER_ID
        )

        assert seller.seller_id == OWN_SELLER_ID
        assert seller.shop_name == "Boutique Octopia"
        assert seller.login

    def test_unknown_seller_id_is_not_found(self, endpoints):
        with pytest.raises(SellerNotFound) as caught:
            octopia.get_seller(endpoints.api_base, own_token(endpoints).value, "999999")

        assert caught.value.seller_id == "999999"

    def test_seller_not_linked_to_the_client_is_told_apart(self, endpoints):
        with pytest.raises(SellerNotLinked):
            octopia.get_seller(endpoints.api_base, own_token(endpoints).value, "200003")

    def test_refused_token_asks_for_a_renewal(self, endpoints, simulator_control):
        token = own_token(endpoints).value
        simulator_control.expire_octopia_tokens(OWN_CLIENT_ID)

        with pytest.raises(TokenRejected):
            octopia.get_seller(endpoints.api_base, token, OWN_SELLER_ID)

    @pytest.mark.parametrize(
        ("behaviour", "error"),
        [("unavailable", ServiceUnavailable), ("html", UnexpectedAnswer)],
    )
    def test_seller_api_failures(self, endpoints, simulator_control, behaviour, error):
        simulator_control.add_octopia_seller(
            OWN_SELLER_ID, shop_name="Boutique Octopia", api_behaviour=behaviour
        )

        with pytest.raises(error):
            octopia.get_seller(
                endpoints.api_base, own_token(endpoints).value, OWN_SELLER_ID
            )

    def test_hanging_seller_api_gives_up_at_the_read_timeout(
        self, endpoints, simulator_control, settings
    ):
        token = own_token(endpoints).value
        settings.CDISCOUNT_READ_TIMEOUT = 0.5
        simulator_control.add_octopia_seller(OWN_SELLER_ID, api_behaviour="hang")

        started = time.monotonic()
        with pytest.raises(ServiceUnavailable, match="in time"):
            octopia.get_seller(endpoints.api_base, token, OWN_SELLER_ID)

        assert time.monotonic() - started < 3
