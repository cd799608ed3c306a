"""Values every page needs: the stores that are waiting for a person."""

from stores.lifecycle import StoreStatus
from stores.selectors import stores_visible_to


def stores_needing_attention(request) -> dict:
    """Count the user's stores whose password Cdiscount refused (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = (
        stores_visible_to(user).filter(status=StoreStatus.NEEDS_REAUTHORIZATION).count()
    )
    return {"stores_needing_reauthorization": count}
