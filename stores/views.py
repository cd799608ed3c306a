from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import (
    sensitive_post_parameters,
    sensitive_variables,
)
from django.views.generic import FormView, ListView, TemplateView

from stores import permissions
from stores.action_forms import StoreListFilterForm
from stores.cdiscount.errors import CdiscountError, CredentialsRejected
from stores.failure_messages import describe_failure, password_rule_hints
from stores.forms import StoreAuthorizeForm
from stores.models import CredentialKind
from stores.octopia_views import authorize_octopia_from_form, refuse_same_store
from stores.selectors import store_list_for, teams_of
from stores.services.authorization import authorize_store
from stores.services.membership import give_access_to_new_store
from stores.services.same_store import StoreAlreadyAuthorized
from stores.throttling import cdiscount_action_limit


class StoreListView(LoginRequiredMixin, ListView):
    template_name = "stores/store_list.html"
    context_object_name = "stores"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = StoreListFilterForm(self.request.GET or None)
        self.criteria = self.filter_form.criteria()
        return store_list_for(self.request.user, **self.criteria)

    def paginate_queryset(self, queryset, page_size):
        """Like ListView's, but a page out of range shows the nearest page.

        A bulk action goes back to the page it came from, which it may have
        emptied; that, or a stale link, must not end on a 404.
        """
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        requested = self.request.GET.get(self.page_kwarg)
        page = paginator.page(_nearest_page(requested, paginator.num_pages))
        return (paginator, page, page.object_list, page.has_other_pages())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = permissions.roles_by_team(self.request.user)
        # Rows of these teams get a checkbox; no query per row.
        operable_team_ids = {
            team_id
            for team_id, role in roles.items()
            if role in permissions.OPERATING_ROLES
        }
        context.update(
            show_team=len(roles) > 1,
            filter_form=self.filter_form,
            is_filtered=any(
                self.criteria.get(name)
                for name in ("search", "status", "environment", "kind")
            ),
            operable_team_ids=operable_team_ids,
            can_authorize=bool(operable_team_ids),
        )
        return context


def _nearest_page(requested: str | None, num_pages: int) -> int:
    """The page ``?page=`` asks for, brought within range; else the first."""
    if requested == "last":
        return num_pages
    try:
        number = int(requested)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


@method_decorator(
    sensitive_post_parameters("api_password", "client_secret"), name="dispatch"
)
class StoreAuthorizeView(LoginRequiredMixin, FormView):
    template_name = "stores/store_authorize.html"
    form_class = StoreAuthorizeForm
    # FormView would take PUT as POST; the dashboard only uses GET and POST.
    http_method_names = ["get", "post", "head"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # A viewer may not authorize, so their teams are not offered.
            self.teams = permissions.teams_where_user_can_operate(request.user)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.teams.exists():
            raise PermissionDenied("Viewers cannot authorize stores.")
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "teams": self.teams}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "has_team": self.teams.exists(),
            "is_member": teams_of(self.request.user).exists(),
        }

    @cdiscount_action_limit
    # Error reports that list local variables would show the typed password
    # held in ``data``; hide every local of this method.
    @method_decorator(sensitive_variables())
    def form_valid(self, form):
        data = form.cleaned_data
        if data["credential_kind"] != CredentialKind.LEGACY:
            return authorize_octopia_from_form(self, form)
        if permissions.login_hidden_from(
            self.request.user, data["team"], data.get("api_login", "")
        ):
            form.add_error(
                "api_login",
                _(
                    "This API login is already authorized in this team, for a "
                    "store you are not assigned to. Ask a team owner."
                ),
            )
            return self.form_invalid(form)
        try:
            result = authorize_store(
                team=data["team"],
                actor=self.request.user,
                name=data["name"],
                api_login=data["api_login"],
                api_password=data["api_password"],
                environment=data["environment"],
            )
        except StoreAlreadyAuthorized as duplicate:
            return refuse_same_store(self, form, duplicate)
        except CdiscountError as error:
            form.add_error(None, describe_failure(error))
            if isinstance(error, CredentialsRejected):
                for hint in password_rule_hints(data["api_password"]):
                    form.add_error("api_password", hint)
            return self.form_invalid(form)
        store = result.store
        if result.created:
            give_access_to_new_store(user=self.request.user, store=store)
            messages.success(
                self.request, _("“%(name)s” is authorized.") % {"name": store.name}
            )
        else:
            messages.success(
                self.request,
                _(
                    "The login “%(login)s” was already authorized in this team: "
                    "“%(name)s” now uses the new password and a new token."
                )
                % {"login": store.api_login, "name": store.name},
            )
        return redirect("stores:list")


class AuthorizationHelpView(LoginRequiredMixin, TemplateView):
    template_name = "stores/help.html"
