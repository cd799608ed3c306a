"""The access rules: who sees which stores, and who may change them."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from stores import permissions
from stores.models import Membership, Role, Store, Team

from .factories import make_member, make_store

AUTHORIZE = reverse("stores:authorize")


def visible_names(user) -> set[str]:
    return set(permissions.stores_visible_to(user).values_list("name", flat=True))


def test_a_member_sees_every_store_of_their_teams_only(team):
    other = Team.objects.create(name="Other")
    make_store(team, login="mine-api", name="Mine")
    make_store(other, login="theirs-api", name="Theirs")
    user = make_member(team, "lin")

    assert visible_names(user) == {"Mine"}


def test_a_limited_member_sees_only_assigned_stores(team):
    assigned = make_store(team, login="a-api", name="Assigned")
    make_store(team, login="b-api", name="Not assigned")
    user = make_member(team, "sub", limited_to=[assigned])

    assert visible_names(user) == {"Assigned"}


def test_a_limit_in_one_team_does_not_hide_another_teams_stores(team):
    other = Team.objects.create(name="Other")
    assigned = make_store(team, login="a-api", name="Assigned")
    make_store(team, login="b-api", name="Not assigned")
    make_store(other, login="c-api", name="Other team store")
    user = make_member(team, "sub", limited_to=[assigned])
    Membership.objects.create(team=other, user=user)

    assert visible_names(user) == {"Assigned", "Other team store"}


def test_an_assignment_outside_the_team_gives_no_access(team):
    other = Team.objects.create(name="Other")
    foreign = make_store(other, login="f-api", name="Foreign")
    user = make_member(team, "sub", limited_to=[])
    Membership.objects.get(user=user).stores.add(foreign)

    assert visible_names(user) == set()


def test_anonymous_sees_nothing(team):
    make_store(team)

    assert visible_names(AnonymousUser()) == set()


def test_only_owners_and_operators_operate(team):
    store = make_store(team)

    assert permissions.can_operate(make_member(team, "own", Role.OWNER), store)
    assert permissions.can_operate(make_member(team, "op", Role.OPERATOR), store)
    assert not permissions.can_operate(make_member(team, "view", Role.VIEWER), store)
    assert not permissions.can_operate(make_member(team, "sub", limited_to=[]), store)


def test_only_owners_manage_members(team):
    assert permissions.can_manage_members(make_member(team, "own", Role.OWNER), team)
    assert not permissions.can_manage_members(make_member(team, "op"), team)


def test_a_viewer_is_told_why_there_is_no_authorize_form(client, team):
    client.force_login(make_member(team, "reader", Role.VIEWER))

    html = client.get(AUTHORIZE).content.decode()

    assert "Your role only lets you read" in html
    assert 'name="api_password"' not in html


def test_teams_where_one_only_reads_are_not_offered(client, team):
    other = Team.objects.create(name="Read-only team")
    user = make_member(team, "mixed")
    Membership.objects.create(team=other, user=user, role=Role.VIEWER)
    client.force_login(user)

    form = client.get(AUTHORIZE).context["form"]

    assert list(form.fields["team"].queryset) == [team]


def test_a_limited_operator_sees_the_store_they_authorize(client, team):
    user = make_member(team, "sub", limited_to=[])
    client.force_login(user)

    client.post(
        AUTHORIZE,
        {
            "team": team.pk,
            "name": "Own shop",
            "api_login": "demo-shop-api",
            "api_password": "Demo-2024!",
            "environment": "simulator",
        },
    )

    assert visible_names(user) == {"Own shop"}


def test_a_limited_operator_cannot_overwrite_a_store_hidden_from_them(client, team):
    hidden = make_store(team, login="demo-shop-api", name="Hidden")
    client.force_login(make_member(team, "sub", limited_to=[]))

    response = client.post(
        AUTHORIZE,
        {
            "team": team.pk,
            "name": "Taken over",
            "api_login": "DEMO-shop-api",
            "api_password": "Demo-2024!",
            "environment": "simulator",
        },
    )

    assert "for a store you are not assigned to" in response.content.decode()
    assert Store.objects.get().name == "Hidden"
    assert Store.objects.get().password_ciphertext == hidden.password_ciphertext
