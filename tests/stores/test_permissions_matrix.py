"""Every dashboard URL and method, as each kind of person.

The world: a team with an owner, an operator, a viewer and an operator
limited to one store ("limited"); a rival team whose owner ("outsider") is
in no way part of the first team; and an anonymous visitor. Store URLs aim at
the team's store that the limited operator is not assigned to.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from stores.lifecycle import StoreStatus
from stores.models import Membership, Role, Store, Team

from .factories import make_member, make_store

OK, DENIED, HIDDEN, LOGIN, NOT_ALLOWED = "ok", 403, 404, "login", 405
ROLES = ["owner", "operator", "viewer", "limited", "outsider", "anonymous"]
TARGET_STORE = "Unassigned Shop"
RIVAL_NAMES = ["Rival Secret Shop", "rival-secret-api", "Rival Team Ltd"]

ANY_MEMBER = dict.fromkeys(ROLES[:-1], OK) | {"anonymous": LOGIN}
READ_STORE = {
    "owner": OK,
    "operator": OK,
    "viewer": OK,
    "limited": HIDDEN,
    "outsider": HIDDEN,
    "anonymous": LOGIN,
}
CHANGE_STORE = READ_STORE | {"viewer": DENIED}
MANAGE_TEAM = {
    "owner": OK,
    "operator": DENIED,
    "viewer": DENIED,
    "limited": DENIED,
    "outsider": HIDDEN,
    "anonymous": LOGIN,
}
# Acting on several stores, or authorizing, needs a team where one operates;
# which stores are touched is checked separately.
NEEDS_AN_OPERATING_ROLE = ANY_MEMBER | {"viewer": DENIED}


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    expected: dict
    data: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.name} {self.method}"


ROUTES = [
    # The home page only redirects to the list, whoever asks.
    Route("home", "get", dict.fromkeys(ROLES, OK)),
    Route("home", "post", dict.fromkeys(ROLES, OK)),
    Route("stores:list", "get", ANY_MEMBER),
    Route("stores:help", "get", ANY_MEMBER),
    Route("stores:authorize", "get", ANY_MEMBER),
    Route(
        "stores:authorize",
        "post",
        NEEDS_AN_OPERATING_ROLE,
        {
            "name": "Newly authorized",
            "api_login": "shortlived-api",
            "api_password": "Demo-2024!",
            "environment": "simulator",
        },
    ),
    Route(
        "stores:bulk", "post", NEEDS_AN_OPERATING_ROLE, {"action": "pause", "store": []}
    ),
    Route("stores:detail", "get", READ_STORE),
    Route("stores:reauthorize", "get", CHANGE_STORE),
    Route("stores:reauthorize", "post", CHANGE_STORE, {"api_password": "Second-2024!"}),
    Route("stores:test_connection", "post", CHANGE_STORE),
    Route("stores:pause", "post", CHANGE_STORE),
    Route("stores:resume", "post", CHANGE_STORE),
    Route("stores:rename", "get", CHANGE_STORE),
    Route("stores:rename", "post", CHANGE_STORE, {"name": "Renamed"}),
    Route("stores:delete", "get", CHANGE_STORE),
    Route("stores:delete", "post", CHANGE_STORE),
    Route("stores:switch_kind", "get", CHANGE_STORE),
    Route(
        "stores:switch_kind",
        "post",
        CHANGE_STORE,
        {
            "credential_kind": "octopia_own",
            "seller_id": "100001",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
        },
    ),
    Route("teams:list", "get", ANY_MEMBER),
    Route("teams:members", "get", MANAGE_TEAM),
    Route(
        "teams:members", "post", MANAGE_TEAM, {"username": "newcomer", "role": "viewer"}
    ),
    Route("teams:member_edit", "get", MANAGE_TEAM),
    Route("teams:member_edit", "post", MANAGE_TEAM, {"role": "viewer"}),
    Route("teams:member_remove", "post", MANAGE_TEAM),
    Route("preferences", "get", ANY_MEMBER),
    Route("preferences", "post", ANY_MEMBER, {"time_zone": "Europe/Paris"}),
]

# URL names outside the dashboard, with their own access rules.
NOT_DASHBOARD = {"admin", "set_language", "healthz"}
NOT_DASHBOARD_PREFIXES = ("login", "logout", "password_")


@dataclass
class World:
    team: Team
    rival: Team
    assigned: Store
    target: Store
    rival_store: Store
    users: dict
    operator_membership: Membership


@pytest.fixture
def world(db):
    team = Team.objects.create(name="Shenzhen Trading")
    rival = Team.objects.create(name="Rival Team Ltd")
    assigned = make_store(team, login="demo-shop-api", name="Assigned Shop")
    target = make_store(
        team, login="second-shop-api", name=TARGET_STORE, password="Second-2024!"
    )
    rival_store = make_store(rival, login="rival-secret-api", name="Rival Secret Shop")
    users = {
        "owner": make_member(team, "owner", Role.OWNER),
        "operator": make_member(team, "operator", Role.OPERATOR),
        "viewer": make_member(team, "viewer", Role.VIEWER),
        "limited": make_member(team, "limited", limited_to=[assigned]),
        "outsider": make_member(rival, "outsider", Role.OWNER),
        "anonymous": None,
    }
    get_user_model().objects.create_user("newcomer")
    return World(
        team=team,
        rival=rival,
        assigned=assigned,
        target=target,
        rival_store=rival_store,
        users=users,
        operator_membership=Membership.objects.get(user=users["operator"]),
    )


def url_of(route_name: str, world: World) -> str:
    kwargs = {}
    if route_name.startswith("stores:") and route_name not in {
        "stores:list",
        "stores:help",
        "stores:authorize",
        "stores:bulk",
    }:
        kwargs["store_id"] = world.target.pk
    if route_name.startswith("teams:") and route_name != "teams:list":
        kwargs["team_id"] = world.team.pk
    if route_name in {"teams:member_edit", "teams:member_remove"}:
        kwargs["membership_id"] = world.operator_membership.pk
    return reverse(route_name, kwargs=kwargs)


def payload(route: Route, world: World) -> dict:
    data = dict(route.data)
    if route.name == "stores:authorize":
        data["team"] = world.team.pk
    if route.name == "stores:bulk":
        data["store"] = [world.target.pk]
    return data


def client_for(role: str, world: World) -> Client:
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def outcome_of(response) -> str | int:
    if response.status_code == 302 and response["Location"].startswith(
        reverse("login")
    ):
        return LOGIN
    if response.status_code in (200, 302):
        return OK
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_route_answers_each_role_as_the_matrix_says(world, route, role):
    client = client_for(role, world)

    response = getattr(client, route.method)(
        url_of(route.name, world), payload(route, world)
    )

    assert outcome_of(response) == route.expected[role], response.content[:500]
    html = response.content.decode()
    if role != "outsider":
        for rival_name in RIVAL_NAMES:
            assert rival_name not in html
    if role in {"outsider", "limited", "anonymous"}:
        assert TARGET_STORE not in html


# The home page is a plain redirect, which answers every method.
PAGES_WITH_VIEWS = sorted({route.name for route in ROUTES} - {"home"})


@pytest.mark.parametrize("name", PAGES_WITH_VIEWS)
def test_unlisted_methods_are_refused(world, name):
    client = client_for("owner", world)
    url = url_of(name, world)

    for method in ("put", "patch", "delete"):
        with_method = getattr(client, method)(url)
        assert with_method.status_code == NOT_ALLOWED, (method, url)


def test_the_matrix_covers_every_dashboard_url_and_method(world):
    covered = {(route.name, route.method) for route in ROUTES}
    for name, view_class in dashboard_routes(get_resolver()):
        methods = {
            method
            for method in ("get", "post")
            if method in view_class.http_method_names and hasattr(view_class, method)
        }
        for method in methods:
            assert (name, method) in covered, f"{name} {method} is not in ROUTES"


def dashboard_routes(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from dashboard_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            if pattern.name in NOT_DASHBOARD or pattern.name.startswith(
                NOT_DASHBOARD_PREFIXES
            ):
                continue
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is not None:
                yield f"{namespace}{pattern.name}", view_class


def test_a_viewer_changes_nothing(world):
    client = client_for("viewer", world)
    before = Store.objects.get(pk=world.target.pk)

    for route in ROUTES:
        if route.method == "post" and route.name.startswith("stores:"):
            client.post(url_of(route.name, world), payload(route, world))

    after = Store.objects.get(pk=world.target.pk)
    assert (after.name, after.status, after.password_ciphertext) == (
        before.name,
        StoreStatus.ACTIVE,
        before.password_ciphertext,
    )
    assert not Store.objects.filter(api_login="shortlived-api").exists()


@pytest.mark.parametrize("role", ["limited", "outsider"])
def test_bulk_actions_skip_stores_the_user_may_not_change(world, role):
    client = client_for(role, world)

    client.post(
        reverse("stores:bulk"),
        {"action": "pause", "store": [world.target.pk, world.rival_store.pk]},
    )

    world.target.refresh_from_db()
    assert world.target.status == StoreStatus.ACTIVE
    if role == "limited":
        world.rival_store.refresh_from_db()
        assert world.rival_store.status == StoreStatus.ACTIVE


def test_authorizing_in_another_team_creates_nothing_there(world):
    client = client_for("outsider", world)

    response = client.post(
        reverse("stores:authorize"),
        {
            "team": world.team.pk,
            "name": "Planted",
            "api_login": "shortlived-api",
            "api_password": "Demo-2024!",
            "environment": "simulator",
        },
    )

    assert response.status_code == 200
    assert not Store.objects.filter(team=world.team, name="Planted").exists()


def test_state_changes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["owner"])

    response = client.post(url_of("stores:pause", world))

    assert response.status_code == 403
    world.target.refresh_from_db()
    assert world.target.status == StoreStatus.ACTIVE
