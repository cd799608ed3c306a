"""A person's display settings, stored the first time they change them."""

import logging
import zoneinfo

from django.conf import settings

from stores.models import UserPreferences

logger = logging.getLogger(__name__)

# What a person sees until they choose: most of our users work in China.
DEFAULT_TIME_ZONE = UserPreferences._meta.get_field("time_zone").default


def time_zone_name_of(user) -> str:
    """The user's chosen zone name, or the default; reading never writes."""
    chosen = (
        UserPreferences.objects.filter(user=user)
        .values_list("time_zone", flat=True)
        .first()
    )
    return chosen or DEFAULT_TIME_ZONE


def time_zone_of(user) -> zoneinfo.ZoneInfo:
    """The zone to show the user's pages in; a bad stored name falls back."""
    name = time_zone_name_of(user)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone user_id=%s time_zone=%r", user.pk, name)
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def set_time_zone(*, user, time_zone: str) -> None:
    # Raises for a name zoneinfo does not know, before anything is saved.
    zoneinfo.ZoneInfo(time_zone)
    UserPreferences.objects.update_or_create(
        user=user, defaults={"time_zone": time_zone}
    )
