"""Team owners manage their members: add, change role or store limits, remove.

A team always keeps at least one owner, or nobody could manage it from the
dashboard any more.
"""

import logging

from django.db import transaction

from stores.models import Membership, Role, Store, Team

logger = logging.getLogger(__name__)


class LastOwnerError(Exception):
    """The change would leave the team without an owner."""


def add_member(*, team: Team, user, role: str, actor) -> Membership:
    membership = Membership.objects.create(team=team, user=user, role=role)
    logger.info(
        "team member added team_id=%s user_id=%s role=%s actor_id=%s",
        team.pk,
        user.pk,
        role,
        actor.pk,
    )
    return membership


def change_member(
    *,
    membership: Membership,
    role: str,
    limited_to_stores: bool,
    stores,
    actor,
) -> None:
    """Set a member's role and which stores they see.

    An owner always sees every store of the team, so a limit is dropped for
    owners. Assigned stores must belong to the team.
    """
    if role == Role.OWNER:
        limited_to_stores = False
    with transaction.atomic():
        locked = _lock_memberships(membership.team_id)
        if membership.role == Role.OWNER and role != Role.OWNER:
            _ensure_another_owner(locked, membership)
        Membership.objects.filter(pk=membership.pk).update(
            role=role, limited_to_stores=limited_to_stores
        )
        assigned = (
            Store.objects.filter(
                team_id=membership.team_id, pk__in=[s.pk for s in stores]
            )
            if limited_to_stores
            else Store.objects.none()
        )
        membership.stores.set(assigned)
    membership.role = role
    membership.limited_to_stores = limited_to_stores
    logger.info(
        "team member changed team_id=%s user_id=%s role=%s limited=%s actor_id=%s",
        membership.team_id,
        membership.user_id,
        role,
        limited_to_stores,
        actor.pk,
    )


def remove_member(*, membership: Membership, actor) -> None:
    with transaction.atomic():
        locked = _lock_memberships(membership.team_id)
        if membership.role == Role.OWNER:
            _ensure_another_owner(locked, membership)
        Membership.objects.filter(pk=membership.pk).delete()
    logger.info(
        "team member removed team_id=%s user_id=%s actor_id=%s",
        membership.team_id,
        membership.user_id,
        actor.pk,
    )


def give_access_to_new_store(*, user, store: Store) -> None:
    """A member limited to some stores also sees the stores they authorize."""
    membership = Membership.objects.filter(
        user=user, team_id=store.team_id, limited_to_stores=True
    ).first()
    if membership is not None:
        membership.stores.add(store)


def _lock_memberships(team_id: int) -> list[Membership]:
    # Two owners demoting each other at the same moment must not both win.
    return list(Membership.objects.select_for_update().filter(team_id=team_id))


def _ensure_another_owner(memberships: list[Membership], leaving: Membership):
    others = [m for m in memberships if m.role == Role.OWNER and m.pk != leaving.pk]
    if not others:
        raise LastOwnerError("a team must keep at least one owner")
