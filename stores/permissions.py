"""Who may see and change what on the dashboard, in one place.

A user sees the stores of the teams they belong to; a member limited to some
stores, like an ERP sub-account, sees only the stores assigned to them.
Within what they see, owners and operators act on stores, viewers only read,
and only owners manage a team's members.

A store or team the user may not see answers 404, so that an id reveals
nothing about other teams; an action the user's role does not allow on a
store they can see answers 403. Platform admins work in Django admin, which
has its own permissions; here a superuser is a member like any other.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404

from stores.models import Membership, Role, Store, Team

# Roles that may authorize, re-authorize, test, pause, resume, rename and
# delete stores.
OPERATING_ROLES = (Role.OWNER, Role.OPERATOR)

_StoreAssignment = Membership.stores.through


def _memberships(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user)


def _visible(memberships: QuerySet[Membership]) -> QuerySet[Store]:
    """Stores of ``memberships``'s teams, minus those a limit leaves out.

    Both halves are subqueries, so the result stays one query however many
    teams and assignments the user has.
    """
    whole_teams = memberships.filter(limited_to_stores=False).values("team_id")
    # An assignment counts only inside its own team, even if an admin
    # assigned a store of another team by mistake.
    assigned = _StoreAssignment.objects.filter(
        membership__in=memberships.filter(limited_to_stores=True),
        store__team_id=F("membership__team_id"),
    ).values("store_id")
    return Store.objects.filter(Q(team_id__in=whole_teams) | Q(pk__in=assigned))


def stores_visible_to(user) -> QuerySet[Store]:
    """Every store the user may see; others must look as if they were not."""
    if not user.is_authenticated:
        return Store.objects.none()
    return _visible(_memberships(user))


def memberships_that_see(store: Store) -> QuerySet[Membership]:
    """The memberships of ``store``'s team whose members may see it."""
    return Membership.objects.filter(team_id=store.team_id).filter(
        Q(limited_to_stores=False) | Q(stores=store)
    )


def stores_operable_by(user) -> QuerySet[Store]:
    """The visible stores the user's role lets them change."""
    if not user.is_authenticated:
        return Store.objects.none()
    return _visible(_memberships(user).filter(role__in=OPERATING_ROLES))


def roles_by_team(user) -> dict[int, str]:
    """The user's role in each of their teams, in one query."""
    return dict(_memberships(user).values_list("team_id", "role"))


def role_in(user, team: Team | int) -> str | None:
    team_id = team if isinstance(team, int) else team.pk
    return (
        _memberships(user)
        .filter(team_id=team_id)
        .values_list("role", flat=True)
        .first()
    )


def teams_where_user_can_operate(user) -> QuerySet[Team]:
    """The teams in which the user may authorize stores."""
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(
        membership__user=user, membership__role__in=OPERATING_ROLES
    ).order_by("name")


def can_operate(user, store: Store) -> bool:
    return stores_operable_by(user).filter(pk=store.pk).exists()


def can_manage_members(user, team: Team | int) -> bool:
    return role_in(user, team) == Role.OWNER


def visible_store_or_404(user, store_id: int) -> Store:
    store = stores_visible_to(user).select_related("team").filter(pk=store_id).first()
    if store is None:
        raise Http404("No such store.")
    return store


def operable_store_or_denied(user, store_id: int) -> Store:
    """The store if the user may change it: 404 if unseen, 403 if only seen."""
    store = visible_store_or_404(user, store_id)
    if role_in(user, store.team_id) not in OPERATING_ROLES:
        raise PermissionDenied("Your role in this team only lets you read.")
    return store


def team_of_member_or_404(user, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id, membership__in=_memberships(user)).first()
    if team is None:
        raise Http404("No such team.")
    return team


def managed_team_or_denied(user, team_id: int) -> Team:
    """The team if the user owns it: 404 for non-members, 403 for others."""
    team = team_of_member_or_404(user, team_id)
    if not can_manage_members(user, team):
        raise PermissionDenied("Only the team's owners manage its members.")
    return team


def login_hidden_from(user, team: Team, api_login: str) -> bool:
    """Whether the team has this API login on a store the user may not see.

    Authorizing a known login updates that store, so a member limited to
    other stores must not do it.
    """
    api_login = api_login.strip()
    if not api_login:
        return False
    return (
        Store.objects.filter(team=team, api_login__iexact=api_login)
        .exclude(pk__in=stores_visible_to(user).values("pk"))
        .exists()
    )
