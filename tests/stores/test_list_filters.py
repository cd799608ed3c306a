"""The list's search, filters, sort, problem hints and bulk checkboxes."""

from datetime import timedelta

from django.urls import reverse

from stores.environments import Environment
from stores.lifecycle import StoreStatus
from stores.models import Role, Store

from .factories import make_member, make_store

LIST = reverse("stores:list")


def names_listed(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [store.name for store in response.context["stores"]]


def test_search_matches_name_login_or_shop_name(member_client, team):
    make_store(team, login="alpha-api", name="Alpha")
    make_store(team, login="bravo-api", name="Bravo")
    shop = make_store(team, login="charlie-api", name="Charlie")
    Store.objects.filter(pk=shop.pk).update(shop_name="Maison Exemple")

    assert names_listed(member_client, q="alp") == ["Alpha"]
    assert names_listed(member_client, q="BRAVO-API") == ["Bravo"]
    assert names_listed(member_client, q="maison") == ["Charlie"]


def test_filter_by_status_and_environment(member_client, team):
    make_store(team, login="a-api", name="Active one")
    make_store(team, login="p-api", name="Paused one", status=StoreStatus.PAUSED)
    production = make_store(team, login="prod-api", name="Production one")
    Store.objects.filter(pk=production.pk).update(environment=Environment.PRODUCTION)

    assert names_listed(member_client, status="paused") == ["Paused one"]
    assert names_listed(member_client, environment="production") == ["Production one"]
    assert names_listed(member_client, status="active", environment="simulator") == [
        "Active one"
    ]


def test_sort_by_expiry_puts_missing_tokens_first(member_client, team):
    make_store(team, login="late-api", name="Late", expires_in=timedelta(hours=40))
    make_store(team, login="soon-api", name="Soon", expires_in=timedelta(hours=2))
    make_store(team, login="none-api", name="No token", expires_in=None)

    assert names_listed(member_client, sort="expiry") == ["No token", "Soon", "Late"]
    assert names_listed(member_client, sort="-expiry") == ["Late", "Soon", "No token"]
    assert names_listed(member_client, sort="name") == ["Late", "No token", "Soon"]


def test_unknown_filter_values_show_everything(member_client, team):
    make_store(team, login="a-api", name="Alpha")

    assert names_listed(member_client, status="bogus", sort="bogus") == ["Alpha"]


def test_pagination_keeps_the_filters(member_client, team):
    for number in range(55):
        make_store(team, login=f"page{number}-api", name=f"Match {number:02}")

    html = member_client.get(LIST, {"q": "Match", "sort": "expiry"}).content.decode()

    assert "?q=Match&amp;sort=expiry&amp;page=2" in html


def test_no_match_says_so(member_client, team):
    make_store(team)

    html = member_client.get(LIST, {"q": "nothing-like-this"}).content.decode()

    assert "No store matches this search." in html


def test_each_problem_row_shows_cause_and_fix(member_client, team):
    make_store(team, login="r-api", status=StoreStatus.NEEDS_REAUTHORIZATION)
    make_store(team, login="f-api", status=StoreStatus.RENEWAL_FAILING)

    html = member_client.get(LIST).content.decode()

    assert "Re-authorize the store with the new API password." in html
    assert "renewal is retried automatically" in html


def test_viewers_get_no_checkboxes_nor_authorize_button(client, team):
    make_store(team)
    client.force_login(make_member(team, "reader", Role.VIEWER))

    html = client.get(LIST).content.decode()

    assert 'name="store"' not in html
    assert reverse("stores:authorize") + '"' not in html.split("</nav>", 1)[1]


def test_every_checkbox_has_a_label(member_client, team):
    store = make_store(team, name="Labelled")

    html = member_client.get(LIST).content.decode()

    assert f'id="select-store-{store.pk}"' in html
    assert f'<label for="select-store-{store.pk}"' in html


def test_list_with_filters_costs_the_same_queries_for_5_and_200_stores(
    member_client, team
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            member_client.get(LIST, {"q": "api", "status": "active", "sort": "expiry"})
        return len(queries)

    for number in range(5):
        make_store(team, login=f"few{number}-api")
    with_five = count()
    for number in range(195):
        make_store(team, login=f"many{number}-api")

    assert count() == with_five


def test_a_bad_value_drops_only_its_own_filter(member_client, team):
    make_store(team, login="alpha-api", name="Alpha")
    make_store(team, login="bravo-api", name="Bravo")
    make_store(team, login="alpaca-api", name="Alpaca", status=StoreStatus.PAUSED)

    assert names_listed(member_client, q="alp", status="foo") == ["Alpaca", "Alpha"]
    assert names_listed(member_client, q="alp", environment="mars") == [
        "Alpaca",
        "Alpha",
    ]
    assert names_listed(member_client, q="alp", kind="carrier-pigeon") == [
        "Alpaca",
        "Alpha",
    ]
    assert names_listed(member_client, q="alp", status="paused", sort="bogus") == [
        "Alpaca"
    ]


def test_a_search_too_long_is_said_and_the_other_filters_still_apply(
    member_client, team
):
    make_store(team, login="a-api", name="Active one")
    make_store(team, login="p-api", name="Paused one", status=StoreStatus.PAUSED)

    response = member_client.get(LIST, {"q": "x" * 101, "status": "paused"})

    assert [store.name for store in response.context["stores"]] == ["Paused one"]
    assert "at most 100 characters" in response.content.decode()


def test_a_bad_filter_value_is_pointed_out(member_client, team):
    make_store(team)

    html = member_client.get(LIST, {"status": "foo"}).content.decode()

    assert "Select a valid choice. foo is not one of the available choices." in html
