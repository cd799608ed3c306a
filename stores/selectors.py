"""Reads: which teams and stores a user may see."""

from django.db.models import QuerySet

from stores.models import Store, Team


def teams_of(user) -> QuerySet[Team]:
    return Team.objects.filter(membership__user=user).order_by("name")


def stores_visible_to(user) -> QuerySet[Store]:
    """Stores of the user's teams; anything else must look like it does not exist."""
    return Store.objects.filter(team__membership__user=user)


def store_list_for(user) -> QuerySet[Store]:
    """The list page's rows: one query, no secret columns, no decryption."""
    return (
        stores_visible_to(user)
        .select_related("team")
        .defer("password_ciphertext", "token_ciphertext", "status_reason")
        .order_by("name", "pk")
    )
