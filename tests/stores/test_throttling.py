import logging
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import View

from stores.models import Membership, Store, Team
from stores.throttling import (
    Rate,
    Refusal,
    cdiscount_action_limit,
    parse_rate,
    take_action_slot,
)

from .factories import make_store

AUTHORIZE = reverse("stores:authorize")
# One minute into a ten-minute window: a refusal says to wait nine minutes.
ONE_MINUTE_INTO_A_WINDOW = datetime(2025, 3, 1, 12, 1, tzinfo=UTC)
WINDOW_START = ONE_MINUTE_INTO_A_WINDOW.timestamp() - 60
TYPED_PASSWORD = "Typed-pass-42!"


def authorize(client, team, *, login="demo-shop-api", password="Demo-2024!"):
    return client.post(
        AUTHORIZE,
        {
            "team": team.pk,
            "name": "Rate-limited shop",
            "api_login": login,
            "api_password": password,
            "environment": "simulator",
        },
    )


@pytest.fixture
def tight_limits(settings):
    settings.CDAUTH_ACTION_RATE_USER = "2/10m"
    settings.CDAUTH_ACTION_RATE_TEAM = "3/10m"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def colleague_client(team):
    user = get_user_model().objects.create_user("wei")
    Membership.objects.create(team=team, user=user)
    return client_for(user)


class TestParseRate:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("10/10m", Rate(10, 600)),
            ("30/h", Rate(30, 3600)),
            (" 5 / 30s ", Rate(5, 30)),
            ("100/1d", Rate(100, 86400)),
        ],
    )
    def test_reads_count_and_period(self, text, expected):
        assert parse_rate(text) == expected

    @pytest.mark.parametrize("text", ["", "ten/10m", "0/10m", "10/0m", "10/10w", "10"])
    def test_refuses_what_it_cannot_read_and_names_the_setting(self, text):
        with pytest.raises(ImproperlyConfigured, match="CDAUTH_ACTION_RATE_USER"):
            parse_rate(text, "CDAUTH_ACTION_RATE_USER")


@pytest.mark.usefixtures("tight_limits")
class TestTakeActionSlot:
    def test_person_is_refused_after_the_limit_until_the_window_ends(self):
        now = WINDOW_START + 60

        first = take_action_slot(user_id=1, team_id=1, now=now)
        second = take_action_slot(user_id=1, team_id=1, now=now + 1)
        third = take_action_slot(user_id=1, team_id=1, now=now + 2)
        next_window = take_action_slot(user_id=1, team_id=1, now=WINDOW_START + 600)

        assert (first, second) == (None, None)
        assert third == Refusal("user", 600 - 62)
        assert next_window is None

    def test_team_is_refused_once_its_members_together_reach_its_limit(self):
        now = WINDOW_START

        for user_id in (1, 2, 3):
            assert take_action_slot(user_id=user_id, team_id=7, now=now) is None
        refusal = take_action_slot(user_id=4, team_id=7, now=now)

        assert refusal == Refusal("team", 600)
        assert take_action_slot(user_id=4, team_id=8, now=now) is None

    def test_person_limit_spans_all_their_teams(self):
        now = WINDOW_START

        take_action_slot(user_id=1, team_id=7, now=now)
        take_action_slot(user_id=1, team_id=8, now=now)

        assert take_action_slot(user_id=1, team_id=9, now=now).scope == "user"

    def test_simultaneous_requests_never_pass_more_than_the_limit(self):
        from concurrent.futures import ThreadPoolExecutor

        def attempt(_):
            return take_action_slot(user_id=1, team_id=1, now=WINDOW_START)

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(attempt, range(40)))

        assert answers.count(None) == 2

    def test_refused_requests_use_up_no_slot(self):
        now = WINDOW_START
        for user_id in (1, 2, 3):
            take_action_slot(user_id=user_id, team_id=7, now=now)

        # Refused by the team: user 4 keeps both of their own slots.
        for _ in range(5):
            assert take_action_slot(user_id=4, team_id=7, now=now).scope == "team"

        assert take_action_slot(user_id=4, team_id=8, now=now) is None
        assert take_action_slot(user_id=4, team_id=8, now=now) is None
        assert take_action_slot(user_id=4, team_id=8, now=now).scope == "user"


class TestRefusalMessage:
    @pytest.fixture(autouse=True)
    def in_english(self):
        with translation.override("en"):
            yield

    def test_says_when_to_retry_in_whole_minutes(self):
        assert "in 9 minutes" in Refusal("user", 540).message
        assert "in 1 minute." in Refusal("user", 5).message
        assert "in 2 minutes" in Refusal("team", 61).message

    def test_tells_a_person_apart_from_their_team(self):
        assert Refusal("user", 60).message.startswith("You have sent")
        assert Refusal("team", 60).message.startswith("Your team has sent")

    @pytest.mark.parametrize(
        ("language", "expected"),
        [("fr", "dans 9 minutes"), ("zh-hans", "9 分钟")],
    )
    def test_is_translated(self, language, expected):
        with translation.override(language):
            assert expected in Refusal("user", 540).message


@pytest.mark.usefixtures("tight_limits")
class TestAuthorizeViewLimit:
    def test_refusal_answers_429_keeps_the_input_and_sends_nothing(
        self, member_client, team, simulator_control, caplog
    ):
        with time_machine.travel(ONE_MINUTE_INTO_A_WINDOW, tick=True):
            authorize(member_client, team, password="wrong-1")
            authorize(member_client, team, password="wrong-2")
            with caplog.at_level(logging.WARNING, logger="stores.throttling"):
                response = authorize(member_client, team, password=TYPED_PASSWORD)

        html = response.content.decode()
        assert response.status_code == 429
        assert response["Retry-After"] in {"539", "540"}
        assert "try again in 9 minutes" in html
        assert 'value="Rate-limited shop"' in html
        assert 'value="demo-shop-api"' in html
        assert TYPED_PASSWORD not in html
        assert simulator_control.token_requests("demo-shop-api") == 2
        [record] = [r for r in caplog.records if r.name == "stores.throttling"]
        assert record.getMessage().startswith("cdiscount action refused scope=user")

    def test_invalid_forms_are_not_counted(self, member_client, team):
        for _ in range(3):
            assert authorize(member_client, team, password="   ").status_code == 200

        response = authorize(member_client, team)

        assert response.status_code == 302
        assert Store.objects.filter(team=team).count() == 1

    def test_colleagues_share_the_team_limit(
        self, member_client, colleague_client, team, simulator_control
    ):
        with time_machine.travel(ONE_MINUTE_INTO_A_WINDOW, tick=True):
            authorize(member_client, team, password="wrong-1")
            authorize(member_client, team, password="wrong-2")
            authorize(colleague_client, team, password="wrong-3")
            response = authorize(colleague_client, team)

        assert response.status_code == 429
        assert "Your team has sent too many requests" in response.content.decode()
        assert simulator_control.token_requests("demo-shop-api") == 3

    def test_another_team_is_not_held_back(self, member_client, team, db):
        other = Team.objects.create(name="Other team")
        outsider = get_user_model().objects.create_user("outsider")
        Membership.objects.create(team=other, user=outsider)
        for _ in range(3):
            authorize(member_client, team, password="wrong")

        assert authorize(client_for(outsider), other).status_code == 302


class ConnectionButtonView(View):
    """A button that calls Cdiscount for one store, like "Test connection"."""

    def get_object(self):
        return self.store

    @cdiscount_action_limit
    def post(self, request, *args, **kwargs):
        return HttpResponse("reached Cdiscount")


@pytest.mark.usefixtures("tight_limits")
class TestButtonLimit:
    def press(self, member, store, referer):
        request = RequestFactory().post("/stores/1/test/", HTTP_REFERER=referer)
        request.user = member
        view = ConnectionButtonView()
        view.setup(request)
        view.store = store
        return view.post(request)

    def test_refusal_answers_429_with_the_message_and_a_way_back(self, member, team):
        store = make_store(team)
        back = "http://testserver/stores/1/"

        with time_machine.travel(ONE_MINUTE_INTO_A_WINDOW, tick=True):
            passed = [self.press(member, store, back).status_code for _ in range(2)]
            response = self.press(member, store, back)

        html = response.content.decode()
        assert passed == [200, 200]
        assert response.status_code == 429
        assert "try again in 9 minutes" in html
        assert f'href="{back}"' in html
        assert "reached Cdiscount" not in html

    def test_refusal_page_is_translated(self, member, team):
        store = make_store(team)
        for _ in range(2):
            self.press(member, store, "")

        with translation.override("zh-hans"):
            html = self.press(member, store, "").content.decode()

        assert "请求过多" in html
        assert "分钟后重试" in html

    def test_way_back_never_leads_off_the_site(self, member, team):
        store = make_store(team)
        for _ in range(2):
            self.press(member, store, "http://testserver/")

        response = self.press(member, store, "https://evil.example/phish")

        assert 'href="/stores/"' in response.content.decode()

    def test_counts_against_the_store_team(self, member, team):
        store = make_store(team)
        other_team_store = make_store(Team.objects.create(name="Other"), login="x-api")
        for _ in range(2):
            self.press(member, store, "")

        response = self.press(member, other_team_store, "")

        # The person is over their own limit whatever the team.
        assert response.status_code == 429
        assert take_action_slot(user_id=member.pk + 1, team_id=team.pk) is None
        assert take_action_slot(user_id=member.pk + 2, team_id=team.pk).scope == "team"


def store_page_url(name: str, store) -> str:
    return reverse(name, kwargs={"store_id": store.pk})


@pytest.mark.usefixtures("tight_limits")
class TestStorePageActionsLimit:
    def test_reauthorize_is_refused_past_the_limit_without_the_password(
        self, member_client, team, simulator_control
    ):
        store = make_store(team)
        url = store_page_url("stores:reauthorize", store)

        with time_machine.travel(ONE_MINUTE_INTO_A_WINDOW, tick=True):
            for attempt in range(2):
                member_client.post(url, {"api_password": f"wrong-{attempt}"})
            response = member_client.post(url, {"api_password": TYPED_PASSWORD})

        html = response.content.decode()
        assert response.status_code == 429
        assert "try again in 9 minutes" in html
        assert TYPED_PASSWORD not in html
        assert simulator_control.token_requests("demo-shop-api") == 2

    def test_connection_test_is_refused_past_the_limit(
        self, member_client, team, simulator_control
    ):
        store = make_store(team)
        url = store_page_url("stores:test_connection", store)
        store_page = f"http://testserver/stores/{store.pk}/"

        with time_machine.travel(ONE_MINUTE_INTO_A_WINDOW, tick=True):
            passed = [member_client.post(url).status_code for _ in range(2)]
            response = member_client.post(url, HTTP_REFERER=store_page)

        assert passed == [302, 302]
        assert response.status_code == 429
        assert "try again in 9 minutes" in response.content.decode()
        assert f'href="{store_page}"' in response.content.decode()
        assert simulator_control.token_requests("demo-shop-api") == 2

    def test_every_action_draws_on_the_same_allowance(self, member_client, team):
        store = make_store(team)
        url = store_page_url("stores:test_connection", store)

        authorize(member_client, team, password="wrong-1")
        member_client.post(url)

        assert member_client.post(url).status_code == 429


def test_system_check_names_an_unreadable_rate(settings):
    from stores.throttling import check_action_rates

    settings.CDAUTH_ACTION_RATE_TEAM = "thirty"

    [error] = check_action_rates()

    assert error.id == "stores.E001"
    assert "CDAUTH_ACTION_RATE_TEAM" in error.msg
