"""The store page and everything a person does to one store, or to several."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.debug import (
    sensitive_post_parameters,
    sensitive_variables,
)
from django.views.generic import FormView, TemplateView

from stores import permissions
from stores.action_forms import (
    StoreBulkActionForm,
    StoreReauthorizeForm,
    StoreRenameForm,
)
from stores.cdiscount.errors import CdiscountError, CredentialsRejected
from stores.failure_messages import (
    advise_on_status,
    describe_failure,
    password_rule_hints,
)
from stores.lifecycle import RENEWABLE_STATUSES, StoreStatus
from stores.models import CredentialKind
from stores.selectors import store_timeline
from stores.services import store_actions
from stores.throttling import cdiscount_action_limit


class StoreMixin(LoginRequiredMixin):
    """Load the store named in the URL: 404 if unseen, 403 if only seen.

    ``operator_only`` views change the store and need an owner or operator.
    """

    operator_only = True
    # FormView would take PUT as POST; the dashboard only uses GET and POST.
    http_method_names = ["get", "post", "head"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        load = (
            permissions.operable_store_or_denied
            if self.operator_only
            else permissions.visible_store_or_404
        )
        self.store = load(request.user, kwargs["store_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return self.store

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "store": self.store}

    def store_page(self):
        return redirect("stores:detail", store_id=self.store.pk)


class StoreDetailView(StoreMixin, TemplateView):
    template_name = "stores/store_detail.html"
    operator_only = False

    def get_context_data(self, **kwargs):
        store = self.store
        return {
            **super().get_context_data(**kwargs),
            "events": store_timeline(store),
            "can_operate": permissions.can_operate(self.request.user, store),
            "advice": advise_on_status(store.status),
            "is_legacy": store.credential_kind == CredentialKind.LEGACY,
            "renewable_statuses": [status.value for status in RENEWABLE_STATUSES],
        }


class StoreActionView(StoreMixin, View):
    """A state change: POST only, CSRF-checked, back to the store page."""

    http_method_names = ["post"]


@method_decorator(sensitive_post_parameters("api_password"), name="dispatch")
class StoreReauthorizeView(StoreMixin, FormView):
    template_name = "stores/store_reauthorize.html"
    form_class = StoreReauthorizeForm

    def get(self, request, *args, **kwargs):
        if self.store.credential_kind != CredentialKind.LEGACY:
            return self._not_a_password_store()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.store.credential_kind != CredentialKind.LEGACY:
            return self._not_a_password_store()
        return super().post(request, *args, **kwargs)

    def _not_a_password_store(self):
        messages.error(
            self.request,
            _(
                "This store does not sign in with an API password. Authorize it "
                "again from “Authorize a store”."
            ),
        )
        return self.store_page()

    @cdiscount_action_limit
    # Error reports that list local variables would show the new password
    # held in ``password``; hide every local of this method.
    @method_decorator(sensitive_variables())
    def form_valid(self, form):
        password = form.cleaned_data["api_password"]
        try:
            store_actions.reauthorize_store(
                store=self.store, actor=self.request.user, api_password=password
            )
        except CdiscountError as error:
            form.add_error(None, describe_failure(error))
            if isinstance(error, CredentialsRejected):
                for hint in password_rule_hints(password):
                    form.add_error("api_password", hint)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "“%(name)s” is re-authorized: Cdiscount accepted the new password "
                "and its token is renewed again."
            )
            % {"name": self.store.name},
        )
        return self.store_page()


class StoreTestConnectionView(StoreActionView):
    @cdiscount_action_limit
    def post(self, request, *args, **kwargs):
        try:
            result = store_actions.check_store_connection(
                store=self.store, actor=request.user
            )
        except store_actions.ActionNotAllowed:
            messages.error(
                request,
                _(
                    "Cdiscount rejected the stored credentials, so they are not "
                    "sent again: repeated failed logins can lock the seller's "
                    "account. Re-authorize the store with the new ones."
                ),
            )
            return self.store_page()
        if result.passed:
            messages.success(request, _passed_message(self.store))
        elif result.secret_unreadable:
            messages.error(
                request,
                _(
                    "The stored password can no longer be read (an encryption "
                    "key is missing on this server). Re-authorize the store."
                ),
            )
        else:
            messages.error(
                request,
                _("Connection test failed. %(cause)s")
                % {"cause": describe_failure(result.error)},
            )
        return self.store_page()


def _passed_message(store) -> str:
    if store.credential_kind == CredentialKind.LEGACY:
        return _(
            "Connection works: Cdiscount issued a token and answered "
            "GetSellerInformation for “%(shop)s”."
        ) % {"shop": store.shop_name or store.seller_login}
    return _(
        "Connection works: Octopia issued a token and answered GET /sellers "
        "for SellerId %(seller_id)s (“%(shop)s”)."
    ) % {"seller_id": store.seller_id, "shop": store.shop_name}


class StorePauseView(StoreActionView):
    def post(self, request, *args, **kwargs):
        name = self.store.name
        try:
            store_actions.pause_store(store=self.store, actor=request.user)
        except store_actions.ActionNotAllowed:
            messages.warning(
                request,
                _("“%(name)s” is not being renewed, so there is nothing to pause.")
                % {"name": name},
            )
        else:
            messages.success(
                request,
                _("“%(name)s” is paused: its token is no longer renewed.")
                % {"name": name},
            )
        return self.store_page()


class StoreResumeView(StoreActionView):
    def post(self, request, *args, **kwargs):
        name = self.store.name
        try:
            status = store_actions.resume_store(store=self.store, actor=request.user)
        except store_actions.ActionNotAllowed:
            messages.warning(request, _("“%(name)s” is not paused.") % {"name": name})
            return self.store_page()
        if status == StoreStatus.EXPIRED:
            messages.warning(
                request,
                _(
                    "“%(name)s” is resumed. Its token ran out while it was "
                    "paused; a renewal has been requested."
                )
                % {"name": name},
            )
        else:
            messages.success(
                request,
                _("“%(name)s” is resumed: its token is renewed again.")
                % {"name": name},
            )
        return self.store_page()


class StoreRenameView(StoreMixin, FormView):
    template_name = "stores/store_rename.html"
    form_class = StoreRenameForm

    def get_initial(self):
        return {"name": self.store.name}

    def form_valid(self, form):
        store_actions.rename_store(
            store=self.store, actor=self.request.user, name=form.cleaned_data["name"]
        )
        messages.success(
            self.request,
            _("The store is now called “%(name)s”.") % {"name": self.store.name},
        )
        return self.store_page()


class StoreDeleteView(StoreMixin, TemplateView):
    """A confirmation page on GET; the deletion itself on POST."""

    template_name = "stores/store_confirm_delete.html"

    def post(self, request, *args, **kwargs):
        name = self.store.name
        store_actions.delete_store(store=self.store, actor=request.user)
        messages.success(
            request,
            _(
                "“%(name)s” is deleted and its token is no longer renewed. Its "
                "history is kept for the audit."
            )
            % {"name": name},
        )
        return redirect("stores:list")


class StoreBulkActionView(LoginRequiredMixin, View):
    """Pause, resume or renew the ticked stores the user may operate.

    Ticked stores the user may not change (gone meanwhile, or in a team where
    they only read) are left alone and counted as skipped.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not permissions.teams_where_user_can_operate(request.user).exists():
            raise PermissionDenied("Viewers cannot change stores.")
        form = StoreBulkActionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return self._back_to_list()

        selected = form.cleaned_data["store"]
        stores = list(
            permissions.stores_operable_by(request.user).filter(pk__in=selected)
        )
        action = form.cleaned_data["action"]
        changed = self._apply(action, stores)
        messages.success(request, _bulk_message(action, changed))
        skipped = len(set(selected)) - changed
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(count)d selected store was left as it was (not in a state "
                    "for this action, or not yours to change).",
                    "%(count)d selected stores were left as they were (not in a "
                    "state for this action, or not yours to change).",
                    skipped,
                )
                % {"count": skipped},
            )
        return self._back_to_list()

    def _apply(self, action: str, stores) -> int:
        actor = self.request.user
        if action == "pause":
            return store_actions.pause_stores(stores=stores, actor=actor)
        if action == "resume":
            return store_actions.resume_stores(stores=stores, actor=actor)
        return store_actions.renew_stores(stores=stores, actor=actor)

    def _back_to_list(self):
        # Back to the same filtered page; only a path on this site is followed.
        target = self.request.POST.get("next", "")
        list_url = reverse("stores:list")
        if not target.startswith(list_url) or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}
        ):
            target = list_url
        return redirect(target)


def _bulk_message(action: str, count: int) -> str:
    if action == "pause":
        text = ngettext("%(count)d store paused.", "%(count)d stores paused.", count)
    elif action == "resume":
        text = ngettext("%(count)d store resumed.", "%(count)d stores resumed.", count)
    else:
        text = ngettext(
            "Renewal queued for %(count)d store.",
            "Renewal queued for %(count)d stores.",
            count,
        )
    return text % {"count": count}
