"""Team owners manage their members from the dashboard."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from stores.models import Membership, Role

from .factories import make_member, make_store


@pytest.fixture
def owner(team):
    return make_member(team, "boss", Role.OWNER)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def members_url(team):
    return reverse("teams:members", kwargs={"team_id": team.pk})


def member_url(name, membership):
    return reverse(
        f"teams:{name}",
        kwargs={"team_id": membership.team_id, "membership_id": membership.pk},
    )


def membership_of(user):
    return Membership.objects.get(user=user)


def test_owner_adds_an_existing_user_with_a_role(owner_client, team):
    newcomer = get_user_model().objects.create_user("Zhang")

    response = owner_client.post(
        members_url(team), {"username": "zhang", "role": Role.VIEWER}, follow=True
    )

    assert membership_of(newcomer).role == Role.VIEWER
    assert "Zhang is now a member of Shenzhen Trading." in response.content.decode()


def test_adding_an_unknown_or_existing_member_is_refused(owner_client, owner, team):
    unknown = owner_client.post(
        members_url(team), {"username": "nobody", "role": Role.VIEWER}
    )
    again = owner_client.post(
        members_url(team), {"username": owner.username, "role": Role.VIEWER}
    )

    assert "No cdauth account has the username" in unknown.content.decode()
    assert "is already a member" in again.content.decode()
    assert Membership.objects.count() == 1


def test_owner_limits_a_member_to_some_stores(owner_client, team):
    kept = make_store(team, login="kept-api", name="Kept")
    make_store(team, login="other-api", name="Other")
    member = make_member(team, "sub")

    owner_client.post(
        member_url("member_edit", membership_of(member)),
        {"role": Role.OPERATOR, "limited_to_stores": "on", "stores": [kept.pk]},
    )

    membership = membership_of(member)
    assert membership.limited_to_stores
    assert list(membership.stores.all()) == [kept]
    assert "Kept" in owner_client.get(members_url(team)).content.decode()


def test_an_owner_cannot_be_limited(owner_client, owner, team):
    store = make_store(team)

    response = owner_client.post(
        member_url("member_edit", membership_of(owner)),
        {"role": Role.OWNER, "limited_to_stores": "on", "stores": [store.pk]},
    )

    assert "cannot be limited" in response.content.decode()
    assert not membership_of(owner).limited_to_stores


def test_the_last_owner_can_be_neither_demoted_nor_removed(owner_client, owner):
    membership = membership_of(owner)

    demoted = owner_client.post(
        member_url("member_edit", membership), {"role": Role.VIEWER}
    )
    removed = owner_client.post(member_url("member_remove", membership), follow=True)

    assert "A team needs at least one owner" in demoted.content.decode()
    assert "A team needs at least one owner" in removed.content.decode()
    assert membership_of(owner).role == Role.OWNER


def test_with_a_second_owner_an_owner_may_step_down(owner_client, owner, team):
    make_member(team, "second", Role.OWNER)

    owner_client.post(
        member_url("member_edit", membership_of(owner)), {"role": "viewer"}
    )

    assert membership_of(owner).role == Role.VIEWER


def test_owner_removes_a_member(owner_client, team):
    member = make_member(team, "leaving")

    owner_client.post(member_url("member_remove", membership_of(member)))

    assert not Membership.objects.filter(user=member).exists()


def test_members_of_another_team_cannot_be_edited(owner_client, team):
    from stores.models import Team

    other = Team.objects.create(name="Other")
    stranger = make_member(other, "stranger")
    foreign = membership_of(stranger)
    url = reverse(
        "teams:member_edit", kwargs={"team_id": team.pk, "membership_id": foreign.pk}
    )

    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, {"role": Role.OWNER}).status_code == 404
    assert membership_of(stranger).role == Role.OPERATOR


def test_team_list_shows_role_and_members_link_only_to_owners(client, owner, team):
    viewer = make_member(team, "reader", Role.VIEWER)
    client.force_login(viewer)

    html = client.get(reverse("teams:list")).content.decode()

    assert "Shenzhen Trading" in html and "Viewer" in html
    assert members_url(team) not in html


@pytest.mark.parametrize(
    "value",
    ["99999999999999999999", "9223372036854775808", "²", "-1"],
    ids=["far-past-64-bit", "past-64-bit", "superscript", "negative"],
)
def test_a_store_value_that_is_no_id_is_a_form_error(owner_client, team, value):
    member = make_member(team, "sub")

    response = owner_client.post(
        member_url("member_edit", membership_of(member)),
        {"role": Role.OPERATOR, "limited_to_stores": "on", "stores": [value]},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["stores"] == [
        f"“{value}” is not a valid value."
    ]
    assert f"“{value}” is not a valid value." in response.content.decode()
    assert not membership_of(member).limited_to_stores
