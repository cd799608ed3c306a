"""Forms a team owner uses to manage the team's members."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from stores.models import Membership, Role, Store, Team
from stores.validators import IdMultipleChoiceField


class TeamMemberAddForm(forms.Form):
    """Add a person who already has a cdauth account to the team."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("The person must already have a cdauth account."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = (
            get_user_model()
            .objects.filter(username__iexact=username, is_active=True)
            .first()
        )
        if user is None:
            raise forms.ValidationError(
                _("No cdauth account has the username “%(username)s”."),
                code="unknown_user",
                params={"username": username},
            )
        if Membership.objects.filter(team=self.team, user=user).exists():
            raise forms.ValidationError(
                _("%(username)s is already a member of this team."),
                code="already_member",
                params={"username": user.get_username()},
            )
        self.cleaned_data["user"] = user
        return username


class TeamMemberChangeForm(forms.Form):
    """A member's role, and the stores they see when limited to some."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    limited_to_stores = forms.BooleanField(
        label=_("Only the stores ticked below"),
        required=False,
        help_text=_(
            "Like an ERP sub-account: the member sees and acts on the assigned "
            "stores only. Owners always see every store."
        ),
    )
    stores = IdMultipleChoiceField(
        label=_("Assigned stores"),
        queryset=Store.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "limited_to_stores": membership.limited_to_stores,
                "stores": list(membership.stores.all()),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["stores"].queryset = Store.objects.filter(
            team_id=membership.team_id
        ).order_by("name", "pk")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.OWNER and cleaned.get("limited_to_stores"):
            self.add_error(
                "limited_to_stores",
                forms.ValidationError(
                    _("An owner sees every store of the team and cannot be limited."),
                    code="owner_limited",
                ),
            )
        return cleaned
