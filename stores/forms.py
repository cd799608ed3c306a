import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stores.environments import available_environments, default_environment
from stores.models import CredentialKind
from stores.services.platform_token import is_platform_configured
from stores.validators import IdChoiceField, validate_store_name

_SELLER_ID = re.compile(r"[0-9]{1,32}")

# The kinds in the order they are offered: the simplest way in first, the
# retired legacy API last.
KIND_TITLES = {
    CredentialKind.OCTOPIA_DELEGATED: _("Octopia: link cdauth to your account"),
    CredentialKind.OCTOPIA_OWN: _("Octopia: your own API client"),
    CredentialKind.LEGACY: _("Legacy API: login and password"),
}
# Fields each kind needs; the others are ignored when that kind is chosen.
KIND_FIELDS = {
    CredentialKind.LEGACY: ("api_login", "api_password"),
    CredentialKind.OCTOPIA_OWN: ("seller_id", "client_id", "client_secret"),
    CredentialKind.OCTOPIA_DELEGATED: ("seller_id",),
}


def offered_kinds(kinds=tuple(KIND_TITLES)) -> list[tuple[str, str]]:
    """The kinds to offer; delegated only when cdauth has its own client."""
    return [
        (kind, KIND_TITLES[kind])
        for kind in kinds
        if kind != CredentialKind.OCTOPIA_DELEGATED or is_platform_configured()
    ]


class OctopiaFieldsMixin(forms.Form):
    """The kind radio and the Octopia fields, checked per kind."""

    credential_kind = forms.ChoiceField(
        label=_("How does the store connect?"),
        widget=forms.RadioSelect,
        required=False,
    )
    seller_id = forms.CharField(
        label=_("SellerId"),
        max_length=32,
        required=False,
        help_text=_("Your Octopia seller number: digits only."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    client_id = forms.CharField(
        label=_("Client ID"),
        max_length=200,
        required=False,
        help_text=_("From API Credentials Management in your Octopia seller space."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # Sent to Octopia exactly as typed, and never shown again.
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    default_kind = CredentialKind.LEGACY

    @property
    def platform_client_id(self) -> str:
        """The client ID a seller links for delegated access, to copy."""
        return settings.OCTOPIA_CLIENT_ID

    def clean_credential_kind(self):
        # Posts that predate the kinds (and API clients) mean the legacy API.
        return self.cleaned_data["credential_kind"] or self.default_kind

    def clean_seller_id(self):
        return self.cleaned_data["seller_id"].strip()

    def clean_client_id(self):
        return self.cleaned_data["client_id"].strip()

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("credential_kind")
        if kind not in KIND_FIELDS:
            return cleaned
        for name in KIND_FIELDS[kind]:
            if name in cleaned and not str(cleaned[name]).strip():
                self.add_error(name, self._missing(name))
        seller_id = cleaned.get("seller_id", "")
        needs_seller_id = "seller_id" in KIND_FIELDS[kind]
        if needs_seller_id and seller_id and not _SELLER_ID.fullmatch(seller_id):
            self.add_error(
                "seller_id",
                forms.ValidationError(
                    _("A SellerId is digits only, for example 123456."),
                    code="seller_id_digits",
                ),
            )
        # Values typed for another kind are dropped, never sent anywhere.
        for names in KIND_FIELDS.values():
            for name in names:
                if name not in KIND_FIELDS[kind] and name in cleaned:
                    cleaned[name] = ""
        return cleaned

    def _missing(self, name: str) -> forms.ValidationError:
        if name == "api_password":
            return forms.ValidationError(
                _("Enter the API password."), code="password_blank"
            )
        if name == "client_secret":
            return forms.ValidationError(
                _("Enter the client secret."), code="client_secret_blank"
            )
        return forms.ValidationError(
            self.fields[name].error_messages["required"], code="required"
        )


class OfferedTeamField(IdChoiceField):
    """A team among those offered; one not offered is never sent back."""

    def bound_data(self, data, initial):
        # The page shown again after a refused team offers the preselected
        # team instead, so that sending it again is not refused the same way.
        try:
            self.clean(data)
        except forms.ValidationError:
            return initial
        return data


class StoreAuthorizeForm(OctopiaFieldsMixin, forms.Form):
    """The authorize page: a name, how the store connects, its credentials."""

    team = OfferedTeamField(queryset=None, label=_("Team"), empty_label=None)
    name = forms.CharField(
        label=_("Store name"),
        max_length=100,
        validators=[validate_store_name],
        help_text=_("Any name that helps your team recognise the store."),
    )
    api_login = forms.CharField(
        label=_("API login"),
        max_length=150,
        required=False,
        help_text=_("Your Cdiscount seller login followed by “-api”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # Sent to Cdiscount exactly as typed, spaces included; never shown again.
    api_password = forms.CharField(
        label=_("API password"),
        max_length=200,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    environment = forms.ChoiceField(label=_("Environment"))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        only_teams = list(teams[:2])
        if len(only_teams) == 1:
            # Most people belong to one team: no need to ask.
            self.fields["team"].initial = only_teams[0]
            self.fields["team"].widget = forms.HiddenInput()
        self.fields["environment"].choices = available_environments()
        self.fields["environment"].initial = default_environment()
        kinds = offered_kinds()
        self.fields["credential_kind"].choices = kinds
        self.fields["credential_kind"].initial = kinds[0][0]
        self.order_fields(["team", "credential_kind", "name"])

    def clean(self):
        cleaned = super().clean()
        team = self.fields["team"]
        if team.widget.is_hidden and self.has_error("team"):
            # A hidden field's errors are not shown: the page would come back
            # with no word of what is wrong.
            self.add_error(
                None,
                forms.ValidationError(
                    _(
                        "The team sent with this form is not one where you can "
                        "authorize stores. The form now uses your team "
                        "“%(team)s”: check it and send it again."
                    ),
                    code="team_not_offered",
                    params={"team": team.initial},
                ),
            )
        return cleaned

    def clean_api_login(self):
        login = self.cleaned_data["api_login"]
        if ":" in login:
            raise forms.ValidationError(
                _("An API login cannot contain “:”."), code="login_colon"
            )
        return login


class StoreSwitchKindForm(OctopiaFieldsMixin, forms.Form):
    """New Octopia credentials for an existing store, which keeps the rest."""

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        octopia_kinds = (CredentialKind.OCTOPIA_DELEGATED, CredentialKind.OCTOPIA_OWN)
        kinds = offered_kinds(octopia_kinds)
        field = self.fields["credential_kind"]
        field.required = True
        field.choices = kinds
        field.initial = (
            store.credential_kind
            if store.credential_kind in dict(kinds)
            else kinds[0][0]
        )
        self.fields["seller_id"].initial = store.seller_id
        self.fields["client_id"].initial = store.client_id
