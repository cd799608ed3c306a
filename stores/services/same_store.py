"""One seller, one store per team: find the store a new authorization repeats.

A seller can reach cdauth under two credential kinds (a legacy login, and an
Octopia SellerId). Authorizing the same seller a second time under another
kind must not quietly add a second store that renews its own token: the
person is told which store it is, so that they switch that store instead.

Delegated access is the one kind that proves nothing about the team: any
team could type a SellerId that linked cdauth's client. So a delegated
SellerId belongs to the first team that authorized it, and to no other.
"""

from django.db.models import Q

from stores.models import CredentialKind, Store, Team


class StoreAlreadyAuthorized(Exception):
    """The team already has this seller, as ``store``."""

    SAME_SELLER_ID = "same_seller_id"
    SAME_LOGIN = "same_login"
    SAME_SELLER = "same_seller"

    def __init__(self, store: Store, reason: str):
        super().__init__(f"already authorized as store {store.pk} ({reason})")
        self.store = store
        self.reason = reason


def _same_login(field: str, seller_login: str) -> Q:
    """Match ``seller_login`` with or without the "-api" of an API login.

    The legacy service names the seller by its API login (``shop-api``) or
    its seller login (``shop``); Octopia by a login. Any of them counts.
    """
    bare = seller_login.strip().lower().removesuffix("-api")
    return Q(**{f"{field}__iexact": bare}) | Q(**{f"{field}__iexact": f"{bare}-api"})


def octopia_store_with_seller_login(
    team: Team, seller_login: str, *, exclude_pk: int | None = None
) -> Store | None:
    """An Octopia store of ``team`` whose seller has this login, if any."""
    if not seller_login.strip():
        return None
    return (
        Store.objects.filter(_same_login("seller_login", seller_login), team=team)
        .exclude(credential_kind=CredentialKind.LEGACY)
        .exclude(pk=exclude_pk)
        .first()
    )


def legacy_store_with_seller_login(
    team: Team, seller_login: str, *, exclude_pk: int | None = None
) -> Store | None:
    """A legacy store of ``team`` whose seller has this login, if any.

    The legacy API names no numeric seller id, so the login is the only
    thing the two APIs are known to share; a match is taken as the same
    seller.
    """
    if not seller_login.strip():
        return None
    return (
        Store.objects.filter(
            _same_login("seller_login", seller_login)
            | _same_login("api_login", seller_login),
            team=team,
            credential_kind=CredentialKind.LEGACY,
        )
        .exclude(pk=exclude_pk)
        .first()
    )


class SellerDelegatedToAnotherTeam(Exception):
    """Another team already holds this SellerId through delegated access."""

    def __init__(self, seller_id: str):
        super().__init__(f"SellerId {seller_id} is delegated to another team")
        self.seller_id = seller_id


def refuse_seller_delegated_elsewhere(
    team_id: int, environment: str, seller_id: str
) -> None:
    """Raise ``SellerDelegatedToAnotherTeam`` if another team holds it."""
    taken = (
        Store.objects.filter(
            credential_kind=CredentialKind.OCTOPIA_DELEGATED,
            environment=environment,
            seller_id=seller_id,
        )
        .exclude(team_id=team_id)
        .exists()
    )
    if taken:
        raise SellerDelegatedToAnotherTeam(seller_id)


def hold_team_authorizations(team_id: int) -> None:
    """Make the team's other authorizations wait until this transaction ends.

    Two authorizations of one seller under two kinds look for each other by
    login, which no constraint can enforce; taking the team's row first
    makes the second one see the first one's store. (SQLite's IMMEDIATE
    transactions already run one at a time.)
    """
    list(Team.objects.select_for_update().filter(pk=team_id).values_list("pk"))
