"""How stores read on a page: relative times and status badges."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from stores.failure_messages import (
    StatusAdvice,
    advise_on_status,
    describe_recorded_failure,
)
from stores.lifecycle import StoreStatus

register = template.Library()

# Under this, an active token is shown as urgent.
URGENT_BEFORE_EXPIRY = timedelta(hours=6)


def _amount(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {
            "count": minutes
        }
    hours = minutes // 60
    if hours < 72:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = hours // 24
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


@register.filter
def relative_time(moment: datetime | None) -> str:
    """“in 45 hours” or “3 minutes ago”, in the page's language."""
    if moment is None:
        return "—"
    delta = moment - timezone.now()
    if delta >= timedelta(0):
        return gettext("in %(amount)s") % {"amount": _amount(delta)}
    return gettext("%(amount)s ago") % {"amount": _amount(-delta)}


@register.filter
def status_tone(store) -> str:
    """The badge colour: calm, urgent or failing, from the store's state."""
    if store.status in (StoreStatus.NEEDS_REAUTHORIZATION, StoreStatus.NOT_USABLE):
        return "danger"
    if store.status in (StoreStatus.EXPIRED, StoreStatus.RENEWAL_FAILING):
        return "warning"
    if store.status == StoreStatus.PAUSED:
        return "muted"
    expires_at = store.token_expires_at
    if expires_at is None:
        return "warning"
    # An Octopia token lives about 2 hours: it is urgent once its renewal is
    # late (a third of its life left), not for the whole of its life.
    urgent_before = URGENT_BEFORE_EXPIRY
    if store.token_issued_at is not None:
        urgent_before = min(urgent_before, (expires_at - store.token_issued_at) / 3)
    if expires_at - timezone.now() < urgent_before:
        return "warning"
    return "ok"


@register.filter
def status_advice(store) -> StatusAdvice | None:
    """The cause of a store's trouble and its fix, in the page's language."""
    return advise_on_status(store.status)


@register.filter
def recorded_failure_advice(reason: str) -> str:
    """What a recorded failure means and how to fix it, translated."""
    return describe_recorded_failure(reason)
