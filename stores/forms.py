from django import forms
from django.utils.translation import gettext_lazy as _

from stores.environments import Environment, available_environments


class StoreAuthorizeForm(forms.Form):
    """The authorize page: a store name and the store's legacy API credentials."""

    team = forms.ModelChoiceField(queryset=None, label=_("Team"), empty_label=None)
    name = forms.CharField(
        label=_("Store name"),
        max_length=100,
        help_text=_("Any name that helps your team recognise the store."),
    )
    api_login = forms.CharField(
        label=_("API login"),
        max_length=150,
        help_text=_("Your Cdiscount seller login followed by “-api”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # Sent to Cdiscount exactly as typed, spaces included, and never shown again.
    api_password = forms.CharField(
        label=_("API password"),
        max_length=200,
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
        self.fields["environment"].initial = Environment.PRODUCTION

    def clean_api_login(self):
        login = self.cleaned_data["api_login"]
        if ":" in login:
            raise forms.ValidationError(
                _("An API login cannot contain “:”."), code="login_colon"
            )
        return login

    def clean_api_password(self):
        password = self.cleaned_data["api_password"]
        if not password.strip():
            raise forms.ValidationError(
                _("Enter the API password."), code="password_blank"
            )
        return password
