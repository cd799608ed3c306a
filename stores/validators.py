"""Checks that several forms share: ids posted back, and store names.

Django's model choice fields catch the ``ValueError`` of an id that is no
number, not the ``OverflowError`` of one too large for the database: the
fields here refuse both before any query.
"""

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

# Ids are 64-bit signed integers in the database; a larger number overflows
# the driver. ``str.isdigit`` takes superscripts ("²") that ``int`` refuses,
# and both take other scripts' digits ("٣"): only ASCII digits are an id.
_ID = re.compile(r"[0-9]{1,19}")
_LARGEST_ID = 2**63 - 1

# Hangul fillers and the blank Braille pattern are letters or symbols that
# draw nothing; they are the usual way to fake an empty name.
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Letters, digits, punctuation and symbols draw something; spaces, format
# characters (zero-width ones, the BOM) and lone combining marks do not.
_DRAWN_CATEGORIES = ("L", "N", "P", "S")
# Line and paragraph separators break a one-line name like a line feed.
_CONTROL_CATEGORIES = ("Cc", "Zl", "Zp")


def parse_id(value) -> int | None:
    """The database id written in ``value``, or None if it names no row."""
    text = str(value)
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= _LARGEST_ID else None


def _refuse_non_id(value, message: str, code: str, params: dict) -> None:
    if parse_id(value) is None:
        raise forms.ValidationError(message, code=code, params=params)


class IdChoiceField(forms.ModelChoiceField):
    """A model chosen by id, the id checked before the database sees it."""

    def to_python(self, value):
        if value not in self.empty_values:
            message = self.error_messages["invalid_choice"]
            _refuse_non_id(value, message, "invalid_choice", {"value": value})
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Models ticked by id, each id checked before the database sees it."""

    def clean(self, value):
        for item in value if isinstance(value, list | tuple) else ():
            message = self.error_messages["invalid_pk_value"]
            _refuse_non_id(item, message, "invalid_pk_value", {"pk": item})
        return super().clean(value)


def validate_store_name(name: str) -> None:
    """Refuse a name a person could not read in the list, or that breaks it."""
    if any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in name):
        raise forms.ValidationError(
            _(
                "A store name cannot contain control characters, such as line "
                "breaks or tabs."
            ),
            code="name_control_characters",
        )
    if not any(_is_drawn(char) for char in name):
        raise forms.ValidationError(
            _("Enter a store name with visible characters."),
            code="name_invisible",
        )


def _is_drawn(char: str) -> bool:
    if char in _BLANK_CHARACTERS:
        return False
    return unicodedata.category(char).startswith(_DRAWN_CATEGORIES)
