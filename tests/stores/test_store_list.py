from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stores.lifecycle import StoreStatus
from stores.models import Membership, Team

from .factories import make_store

LIST = reverse("stores:list")


def queries_to_render_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


def test_list_costs_the_same_queries_for_5_and_200_stores(member_client, team):
    for i in range(5):
        make_store(team, login=f"few{i}-api")
    with_five = queries_to_render_list(member_client)
    for i in range(195):
        make_store(team, login=f"many{i}-api")

    assert queries_to_render_list(member_client) == with_five


def test_list_shows_store_details_and_relative_expiry(member_client, team):
    make_store(
        team,
        login="shown-api",
        name="Guangzhou Outlet",
        expires_in=timedelta(hours=45, minutes=30),
    )

    html = member_client.get(LIST).content.decode()

    assert "Guangzhou Outlet" in html and "shown-api" in html
    assert "in 45 hours" in html
    assert "Boutique" in html


def test_list_is_paginated(member_client, team):
    for i in range(60):
        make_store(team, login=f"page{i}-api")

    first = member_client.get(LIST)
    second = member_client.get(LIST, {"page": 2})

    assert len(first.context["stores"]) == 50
    assert len(second.context["stores"]) == 10


def test_other_teams_stores_are_never_listed(member_client, team):
    other_team = Team.objects.create(name="Rival")
    make_store(other_team, login="rival-api", name="Rival Store")

    assert "Rival Store" not in member_client.get(LIST).content.decode()


def test_urgent_and_failing_stores_get_their_own_badges(member_client, team):
    make_store(team, login="soon-api", expires_in=timedelta(hours=3))
    make_store(
        team, login="bad-api", expires_in=timedelta(hours=3),
        status=StoreStatus.NEEDS_REAUTHORIZATION,
    )  # fmt: skip

    html = member_client.get(LIST).content.decode()

    assert "badge-warning" in html and "badge-danger" in html


def test_list_never_contains_secrets(member_client, team):
    make_store(
        team, password="Visible-if-leaked-1", token="ffffeeeeddddccccbbbbaaaa99998888"
    )

    html = member_client.get(LIST).content.decode()

    assert "Visible-if-leaked-1" not in html
    assert "ffffeeeeddddccccbbbbaaaa99998888" not in html


def test_team_column_appears_for_members_of_several_teams(member_client, member, team):
    other = Team.objects.create(name="Second team")
    Membership.objects.create(team=other, user=member)
    make_store(other, login="second-api")

    html = member_client.get(LIST).content.decode()

    assert "Second team" in html


def test_user_sees_stores_of_all_their_teams_only(client, team, db):
    user = get_user_model().objects.create_user("wang")
    client.force_login(user)
    make_store(team, login="hidden-api", name="Hidden")

    assert "Hidden" not in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("page", "shown"),
    [("0", 1), ("-1", 1), ("abc", 1), ("²", 1), ("", 1), ("2", 2), ("3", 2)]
    + [("99999999999999999999", 2), ("last", 2)],
)
def test_a_page_out_of_range_shows_the_nearest_page(member_client, team, page, shown):
    for i in range(55):
        make_store(team, login=f"page{i}-api")

    response = member_client.get(LIST, {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_an_empty_list_has_a_first_page_whatever_page_is_asked(member_client):
    response = member_client.get(LIST, {"page": "4"})

    assert response.status_code == 200
    assert "No store is authorized yet." in response.content.decode()
