"""Failed logins are throttled per username and address (django-axes)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from cdauth.login_throttling import client_ip

from .conftest import MEMBER_PASSWORD

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
STARTED_AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def log_in(client, username, password, address=OFFICE, url=LOGIN):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address=OFFICE, url=LOGIN):
    for attempt in range(times):
        log_in(client, username, f"wrong-guess-{attempt}", address, url)


def is_logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.fixture
def clock():
    with time_machine.travel(STARTED_AT, tick=False) as traveller:
        yield traveller


def test_five_failures_lock_out_even_the_right_password(client, member, clock):
    fail(client, member.username, 5)

    response = log_in(client, member.username, MEMBER_PASSWORD)

    html = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Try again in 15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_four_failures_still_let_the_right_password_in(client, member, clock):
    fail(client, member.username, 4)

    assert is_logged_in(log_in(client, member.username, MEMBER_PASSWORD))


def test_lockout_ends_after_the_cool_off(client, member, clock):
    fail(client, member.username, 5)

    clock.shift(timedelta(minutes=14))
    still_locked = log_in(client, member.username, MEMBER_PASSWORD)
    # The refused attempt above started the cool-off again.
    clock.shift(timedelta(minutes=15, seconds=1))
    after = log_in(client, member.username, MEMBER_PASSWORD)

    assert still_locked.status_code == 429
    assert is_logged_in(after)


def test_the_same_username_from_another_address_is_not_locked(client, member, clock):
    fail(client, member.username, 5, address=OFFICE)

    assert is_logged_in(log_in(client, member.username, MEMBER_PASSWORD, ELSEWHERE))


def test_a_success_forgets_earlier_failures(client, member, clock):
    fail(client, member.username, 4)
    log_in(client, member.username, MEMBER_PASSWORD)
    client.logout()
    fail(client, member.username, 4)

    assert is_logged_in(log_in(client, member.username, MEMBER_PASSWORD))


def test_admin_login_is_throttled_too(client, admin_user, clock):
    fail(client, admin_user.username, 5, url=ADMIN_LOGIN)

    response = log_in(client, admin_user.username, "password", url=ADMIN_LOGIN)

    assert response.status_code == 429


def test_lockout_page_is_translated(client, member, clock):
    fail(client, member.username, 5)

    with translation.override("zh-hans"):
        response = client.post(
            LOGIN,
            {"username": member.username, "password": "x"},
            REMOTE_ADDR=OFFICE,
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    assert "15 分钟后重试" in response.content.decode()


def test_failed_attempts_are_recorded_without_the_password(client, member, clock):
    fail(client, member.username, 2)

    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 2
    assert "wrong-guess" not in attempt.post_data + attempt.get_data


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "", "10.0.0.2"),
        (0, "192.0.2.1", "10.0.0.2"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),
        (2, "6.6.6.6, 192.0.2.1, 10.1.1.1", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.2"),
    ],
)
def test_client_address_trusts_only_our_own_proxies(
    settings, proxies, forwarded_for, expected
):
    settings.CDAUTH_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for
    )

    assert client_ip(request) == expected
