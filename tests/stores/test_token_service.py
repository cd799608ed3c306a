import time

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from stores.cdiscount.endpoints import legacy_endpoints
from stores.cdiscount.errors import (
    CredentialsRejected,
    ServiceUnavailable,
    UnexpectedAnswer,
)
from stores.cdiscount.token_service import _read_token_answer, request_token
from stores.environments import Environment

HEX = set("0123456789abcdef")

PASSWORDS_AS_TYPED = {
    "euro sign": "Prix-100€!",
    "cedilla and acute": "Garçon-Été-7",
    "chinese": "店铺密码2024",
    "url characters": "a:b@c/d?e#f&g=1",
    "surrounding spaces": "  spaced-out 9  ",
}


def token_url():
    return legacy_endpoints(Environment.SIMULATOR).token_url


@pytest.mark.parametrize(
    "password", PASSWORDS_AS_TYPED.values(), ids=PASSWORDS_AS_TYPED
)
def test_password_is_sent_exactly_as_typed_in_utf8(simulator_control, password):
    simulator_control.add_account("typed-api", password)

    token = request_token(token_url(), "typed-api", password)

    assert len(token.value) == 32 and set(token.value) <= HEX
    assert token.expires_at - token.issued_at == settings.CDISCOUNT_TOKEN_LIFETIME


def test_each_request_returns_a_new_token(simulator_url):
    first = request_token(token_url(), "demo-shop-api", "Demo-2024!")
    second = request_token(token_url(), "demo-shop-api", "Demo-2024!")

    assert first.value != second.value


def test_wrong_password_is_rejected_credentials(simulator_url):
    with pytest.raises(CredentialsRejected):
        request_token(token_url(), "demo-shop-api", "not-the-password")


def test_password_stripped_of_its_spaces_is_rejected(simulator_control):
    simulator_control.add_account("spaces-api", " padded9 ")

    with pytest.raises(CredentialsRejected):
        request_token(token_url(), "spaces-api", "padded9")


def test_html_page_with_status_200_is_an_unexpected_answer(simulator_url):
    with pytest.raises(UnexpectedAnswer):
        request_token(token_url(), "html-api", "Demo-2024!")


def test_html_page_with_status_403_is_an_unexpected_answer(simulator_url):
    # A firewall's page, not the service refusing the password.
    with pytest.raises(UnexpectedAnswer):
        request_token(token_url(), "firewall-api", "Demo-2024!")


def test_plain_403_is_rejected_credentials(simulator_url):
    response = requests.Response()
    response.status_code = 403
    response._content = b"Forbidden"
    response.headers["Content-Type"] = "text/plain"

    with pytest.raises(CredentialsRejected):
        _read_token_answer(response, timezone.now())


def test_503_is_service_unavailable(simulator_url):
    with pytest.raises(ServiceUnavailable):
        request_token(token_url(), "unavailable-api", "Demo-2024!")


def test_connection_refused_is_service_unavailable(simulator_url):
    with pytest.raises(ServiceUnavailable):
        request_token("http://127.0.0.1:9/users/httpIssue.svc/", "a-api", "pw-123456")


def test_hanging_service_gives_up_after_the_read_timeout(simulator_url):
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable):
        request_token(token_url(), "hang-api", "Demo-2024!")

    assert time.monotonic() - started < settings.CDISCOUNT_READ_TIMEOUT + 2


def test_issued_token_repr_hides_the_token(simulator_url):
    token = request_token(token_url(), "demo-shop-api", "Demo-2024!")

    assert token.value not in repr(token)
