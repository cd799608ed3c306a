"""Forms of the store list and of the actions on one store."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stores.environments import available_environments
from stores.lifecycle import StoreStatus
from stores.models import CredentialKind
from stores.selectors import STORE_LIST_ORDERINGS
from stores.validators import parse_id, validate_store_name


class StoreListFilterForm(forms.Form):
    """The list's search, filters and sort order, from the query string."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, API login or shop name"),
            }
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    environment = forms.ChoiceField(label=_("Environment"), required=False)
    kind = forms.ChoiceField(label=_("Connects with"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("expiry", _("Expiry, soonest first")),
            ("-expiry", _("Expiry, latest first")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *StoreStatus.choices]
        self.fields["environment"].choices = [
            ("", _("All environments")),
            *available_environments(),
        ]
        # "Legacy API" lists the stores still to move to Octopia.
        self.fields["kind"].choices = [
            ("", _("Any API")),
            (CredentialKind.LEGACY, _("Legacy API")),
            (CredentialKind.OCTOPIA_OWN, _("Octopia, own client")),
            (CredentialKind.OCTOPIA_DELEGATED, _("Octopia, delegated")),
        ]

    def criteria(self) -> dict:
        """Keyword arguments for ``store_list_for``.

        A field with a bad value is ignored on its own, and the page says
        why: one stale or mistyped value must not drop the search and the
        other filters with it.
        """
        if not self.is_bound:
            return {}
        self.is_valid()
        # Only the fields that passed are in ``cleaned_data``.
        data = self.cleaned_data
        sort = data.get("sort", "")
        return {
            "search": data.get("q", "").strip(),
            "status": data.get("status", ""),
            "environment": data.get("environment", ""),
            "kind": data.get("kind", ""),
            "sort": sort if sort in STORE_LIST_ORDERINGS else "name",
        }


class StoreIdsField(forms.Field):
    """Store ids ticked in the list; values that are not ids are dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        store_ids = (parse_id(item) for item in value or [])
        return [store_id for store_id in store_ids if store_id is not None]


class StoreBulkActionForm(forms.Form):
    """An action for the stores ticked in the list."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("pause", _("Pause")),
            ("resume", _("Resume")),
            ("renew", _("Renew token now")),
        ],
    )
    store = StoreIdsField(required=False)

    def clean_store(self):
        store_ids = self.cleaned_data["store"]
        if not store_ids:
            raise forms.ValidationError(
                _("Select at least one store."), code="no_store_selected"
            )
        return store_ids


class StoreReauthorizeForm(forms.Form):
    # Sent to Cdiscount exactly as typed, spaces included; never shown again.
    api_password = forms.CharField(
        label=_("New API password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "The API password as it is now in the Cdiscount seller back office."
        ),
    )

    def clean_api_password(self):
        password = self.cleaned_data["api_password"]
        if not password.strip():
            raise forms.ValidationError(
                _("Enter the API password."), code="password_blank"
            )
        return password


class StoreRenameForm(forms.Form):
    name = forms.CharField(
        label=_("Store name"),
        max_length=100,
        validators=[validate_store_name],
        help_text=_("Any name that helps your team recognise the store."),
    )
