"""A person's own display settings."""

import zoneinfo
from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [
        (name, name)
        for name in sorted(zoneinfo.available_timezones())
        if _is_a_place(name)
    ]


def _is_a_place(name: str) -> bool:
    """Whether ``name`` is a region's zone, such as "Europe/Paris", or UTC.

    zoneinfo also lists zones that are no place: "Factory" (no offset at
    all), "localtime" (whatever the server uses), POSIX rules such as
    "EST5EDT", old aliases such as "Zulu", and the fixed offsets of "Etc/",
    whose signs are the reverse of what they look like.
    """
    return name == "UTC" or ("/" in name and not name.startswith("Etc/"))


class UserPreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and times on every page are shown in this time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
