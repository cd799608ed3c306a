"""The Cdiscount environments a store can be authorized against."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Environment(models.TextChoices):
    PRODUCTION = "production", _("Production")
    PREPRODUCTION = "preproduction", _("Pre-production")
    SIMULATOR = "simulator", _("Local simulator")


def available_environments() -> list[tuple[str, str]]:
    """Return the environment choices; the simulator only if one is set up."""
    return [
        (value, label)
        for value, label in Environment.choices
        if value != Environment.SIMULATOR or settings.CDISCOUNT_SIMULATOR_URL
    ]


def default_environment() -> str:
    """Where a new store is authorized unless the person picks another.

    A simulator is only set up on a machine made for trying cdauth out
    (``make run``), where it is the environment that works.
    """
    if settings.CDISCOUNT_SIMULATOR_URL:
        return Environment.SIMULATOR
    return Environment.PRODUCTION
