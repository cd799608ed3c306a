"""The audit trail: one event row per authorization, renewal and failure."""

from stores.models import Store, StoreEvent, Team


def store_label(name: str, api_login: str, seller_id: str = "") -> str:
    """Name a store with what Cdiscount knows it by: SellerId, or login."""
    return f"{name} (SellerId {seller_id})" if seller_id else f"{name} ({api_login})"


def record_event(
    *,
    team: Team | int,
    kind: str,
    outcome: str,
    store: Store | None = None,
    label: str = "",
    actor=None,
    actor_id: int | None = None,
    status_after: str = "",
    reason: str = "",
) -> StoreEvent:
    """Write one event; ``reason`` must never hold a secret.

    The person is ``actor``, or ``actor_id`` where only their id is at hand
    (a renewal they asked for, run later by a worker).
    """
    team_id = team if isinstance(team, int) else team.pk
    return StoreEvent.objects.create(
        team_id=team_id,
        store=store,
        store_label=label or store_label(store.name, store.api_login, store.seller_id),
        actor_id=actor.pk if actor is not None else actor_id,
        kind=kind,
        outcome=outcome,
        status_after=status_after,
        reason=reason[:2000],
    )


def record_store_event(
    store: Store,
    *,
    kind: str,
    outcome: str,
    actor=None,
    reason: str = "",
) -> StoreEvent:
    """Write an event of ``store`` as it stands now: its team, its status."""
    return record_event(
        team=store.team_id,
        store=store,
        actor=actor,
        kind=kind,
        outcome=outcome,
        status_after=store.status,
        reason=reason,
    )
