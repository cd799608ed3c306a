from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from stores import crypto
from stores.lifecycle import StoreStatus
from stores.models import Membership, Store, StoreEvent, Team
from stores.tasks import queue_forced_renewals
from stores.validators import IdChoiceField, validate_store_name

# Shown in place of a secret; not one itself.
SECRET_MASK = "••••••••"  # noqa: S105


def masked_secret(ciphertext: str) -> str:
    """A stored secret as admin shows it: masked, or flagged as unreadable.

    Never the secret itself; an admin only needs to see that it is there and
    whether this server can still use it.
    """
    if not ciphertext:
        return "—"
    if not crypto.is_readable(ciphertext):
        return gettext("unreadable (no encryption key opens it)")
    return SECRET_MASK


class AttentionFilter(admin.SimpleListFilter):
    """The stores an operator should look at first."""

    title = _("attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("expiring", _("Token expires within 6 hours")),
            ("failing", _("Renewal failing or expired")),
            ("person", _("Needs a person")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "expiring":
            return queryset.filter(
                token_expires_at__lt=timezone.now() + timedelta(hours=6)
            ).order_by("token_expires_at")
        if self.value() == "failing":
            return queryset.filter(
                status__in=[StoreStatus.RENEWAL_FAILING, StoreStatus.EXPIRED]
            )
        if self.value() == "person":
            return queryset.filter(
                status__in=[StoreStatus.NEEDS_REAUTHORIZATION, StoreStatus.NOT_USABLE]
            )
        return queryset


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


class StoreEventInline(admin.TabularInline):
    model = StoreEvent
    fields = ["created_at", "kind", "outcome", "status_after", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# What an admin is told when moving a store to another team breaks one of
# the store's unique constraints, by constraint name.
TEAM_CONSTRAINT_MESSAGES = {
    "store_login_unique_per_team": _(
        "This team already has a store with this API login."
    ),
    "store_seller_id_unique_per_team": _(
        "This team already has a store with this SellerId."
    ),
}


class StoreAdminForm(forms.ModelForm):
    """The admin's store page, with the checks the dashboard's forms make."""

    team = IdChoiceField(queryset=Team.objects.all(), label=_("team"))

    def clean_name(self):
        name = self.cleaned_data["name"]
        validate_store_name(name)
        return name

    def validate_unique(self):
        super().validate_unique()
        # The login and SellerId are read-only here, so they are not form
        # fields and Django skips every constraint that names them. Moving
        # the store to another team can still break those, which the
        # database would only refuse on save, with a 500.
        if self.has_error("team"):
            return
        for constraint in Store._meta.constraints:
            try:
                constraint.validate(Store, self.instance)
            except ValidationError as error:
                message = TEAM_CONSTRAINT_MESSAGES.get(constraint.name, error)
                self.add_error("team", message)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    form = StoreAdminForm
    list_display = [
        "name",
        "team",
        "api_login",
        "environment",
        "status",
        "token_expires_at",
        "last_renewed_at",
    ]
    list_filter = [AttentionFilter, "status", "environment", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "api_login", "shop_name"]
    ordering = ["token_expires_at"]
    actions = ["renew_token_now"]
    inlines = [StoreEventInline]
    # The secrets are not form fields at all, so saving this page can never
    # overwrite them; they are only shown as masked.
    fields = [
        "team",
        "name",
        "credential_kind",
        "environment",
        "api_login",
        "api_password",
        "token",
        "status",
        "status_reason",
        "token_issued_at",
        "token_expires_at",
        "last_renewed_at",
        "renewal_failures",
        "shop_name",
        "seller_login",
        "seller_state",
        "seller_availability",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "credential_kind",
        "api_login",
        "api_password",
        "token",
        "token_issued_at",
        "token_expires_at",
        "last_renewed_at",
        "renewal_failures",
        "shop_name",
        "seller_login",
        "seller_state",
        "seller_availability",
        "created_by",
        "created_at",
        "updated_at",
    ]

    @admin.display(description=_("API password"))
    def api_password(self, store):
        return masked_secret(store.password_ciphertext)

    @admin.display(description=_("token"))
    def token(self, store):
        return masked_secret(store.token_ciphertext)

    @admin.action(description=_("Renew token now"))
    def renew_token_now(self, request, queryset):
        store_ids = list(queryset.values_list("pk", flat=True))
        queue_forced_renewals(store_ids, requested_by=request.user.pk)
        self.message_user(
            request,
            ngettext(
                "Renewal queued for %(count)d store.",
                "Renewal queued for %(count)d stores.",
                len(store_ids),
            )
            % {"count": len(store_ids)},
            messages.SUCCESS,
        )


@admin.register(StoreEvent)
class StoreEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "store_label", "team", "kind", "outcome", "actor"]
    list_filter = ["kind", "outcome", "team"]
    search_fields = ["store_label", "reason"]
    list_select_related = ["team", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
