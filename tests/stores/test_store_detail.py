"""The store page: details, seller information, timeline, and its buttons."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from stores.cdiscount.errors import ServiceUnavailable
from stores.failure_messages import describe_failure, describe_recorded_failure
from stores.lifecycle import LifecycleEvent, StoreStatus
from stores.models import Role, StoreEvent
from stores.services.events import record_event

from .factories import make_member, make_store

ACTION_LABELS = ["Re-authorize", "Test connection", "Pause", "Rename", "Delete"]


def store_page(client, store) -> str:
    response = client.get(reverse("stores:detail", kwargs={"store_id": store.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_details_seller_information_and_timeline(
    member_client, member, team
):
    store = make_store(team, name="Guangzhou Outlet", login="gz-outlet-api")
    store.seller_login = "gz-outlet"
    store.seller_state = "Activated"
    store.save()
    record_event(
        team=team,
        store=store,
        actor=member,
        kind=LifecycleEvent.PAUSED,
        outcome=StoreEvent.Outcome.SUCCESS,
        status_after=StoreStatus.PAUSED,
    )
    record_event(
        team=team,
        store=store,
        kind=LifecycleEvent.RENEWAL_FAILED,
        outcome=StoreEvent.Outcome.FAILURE,
        reason="ServiceUnavailable: the token service answered 503",
    )

    html = store_page(member_client, store)

    for text in [
        "Guangzhou Outlet",
        "gz-outlet-api",
        "Local simulator",
        "Boutique",
        "gz-outlet",
        "Activated",
        "Renewal failed, will retry",
        "the token service answered 503",
        "cdauth (automatic)",
        member.username,
    ]:
        assert text in html, text


def test_operator_sees_every_action_button(member_client, team):
    html = store_page(member_client, make_store(team))

    for label in ACTION_LABELS:
        assert f">{label}<" in html, label


def test_viewer_sees_no_action_button(client, team):
    store = make_store(team)
    client.force_login(make_member(team, "reader", Role.VIEWER))

    html = store_page(client, store)

    for label in ACTION_LABELS + ["Resume"]:
        assert f">{label}<" not in html, label


def test_paused_store_offers_resume_instead_of_pause(member_client, team):
    html = store_page(member_client, make_store(team, status=StoreStatus.PAUSED))

    assert ">Resume<" in html and ">Pause<" not in html


def test_a_problem_shows_its_cause_and_fix(member_client, team):
    store = make_store(team, status=StoreStatus.NEEDS_REAUTHORIZATION)
    store.status_reason = "the token service refused the login (HTTP 401)"
    store.save()

    html = store_page(member_client, store)

    assert "Cdiscount rejected the stored API password" in html
    assert "Re-authorize the store with the new API password." in html
    assert "HTTP 401" in html


def test_page_never_shows_secrets(member_client, team):
    store = make_store(
        team, password="Never-shown-77", token="abcdefabcdefabcdefabcdefabcdef99"
    )

    html = store_page(member_client, store)

    assert "Never-shown-77" not in html
    assert "abcdefabcdefabcdefabcdefabcdef99" not in html
    assert store.password_ciphertext not in html


def test_times_are_shown_in_the_users_time_zone(member_client, member, team):
    store = make_store(team, expires_in=timedelta(hours=40))
    member_client.post(reverse("preferences"), {"time_zone": "Europe/Paris"})

    html = store_page(member_client, store)

    paris = store.token_expires_at.astimezone(ZoneInfo("Europe/Paris"))
    assert paris.strftime("%Y-%m-%d %H:%M") in html
    assert "Times are shown in Europe/Paris." in html


def test_a_failed_connection_test_is_explained_in_the_users_language(
    member_client, team
):
    from django.utils import timezone

    store = make_store(team)
    type(store).objects.filter(pk=store.pk).update(
        last_checked_at=timezone.now(),
        last_check_ok=False,
        last_check_message="ServiceUnavailable: the token service failed (HTTP 503)",
    )

    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = store_page(member_client, store)

    assert "the token service failed (HTTP 503)" in page
    with translation.override("zh-hans"):
        advice = describe_failure(ServiceUnavailable(""))
    assert escape(advice) in page
    with translation.override("en"):
        assert advice != describe_failure(ServiceUnavailable(""))


def test_a_recorded_reason_of_an_unknown_kind_is_shown_as_it_is():
    assert describe_recorded_failure("SellerNotLinked: SellerId 1 is not linked") == ""
