"""Reads: which teams and stores a user may see, and the list page's rows."""

from django.db.models import F, Q, QuerySet

from stores import permissions
from stores.models import Store, StoreEvent, Team

# The list's sort orders, by the value of its ``sort`` parameter. A store
# without a token is the most urgent, so it comes first by expiry.
STORE_LIST_ORDERINGS = {
    "name": ("name", "pk"),
    "expiry": (F("token_expires_at").asc(nulls_first=True), "name", "pk"),
    "-expiry": (F("token_expires_at").desc(nulls_last=True), "name", "pk"),
}


def teams_of(user) -> QuerySet[Team]:
    return Team.objects.filter(membership__user=user).order_by("name")


def stores_visible_to(user) -> QuerySet[Store]:
    """Stores the user may see (``stores.permissions`` holds the rule)."""
    return permissions.stores_visible_to(user)


def store_list_for(
    user,
    *,
    search: str = "",
    status: str = "",
    environment: str = "",
    kind: str = "",
    sort: str = "name",
) -> QuerySet[Store]:
    """The list page's rows: one query, no secret columns, no decryption."""
    stores = stores_visible_to(user)
    if search:
        stores = stores.filter(
            Q(name__icontains=search)
            | Q(api_login__icontains=search)
            | Q(shop_name__icontains=search)
            | Q(seller_id=search)
        )
    if status:
        stores = stores.filter(status=status)
    if environment:
        stores = stores.filter(environment=environment)
    if kind:
        stores = stores.filter(credential_kind=kind)
    return (
        stores.select_related("team")
        .defer(
            "password_ciphertext",
            "token_ciphertext",
            "client_secret_ciphertext",
            "status_reason",
            "last_check_message",
        )
        .order_by(*STORE_LIST_ORDERINGS.get(sort, STORE_LIST_ORDERINGS["name"]))
    )


def store_timeline(store: Store, limit: int = 100) -> QuerySet[StoreEvent]:
    """The store's latest events, newest first, with who did them."""
    return store.events.select_related("actor").order_by("-created_at", "-id")[:limit]
