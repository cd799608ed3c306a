"""Pages for the Octopia kinds: authorize a store, or switch one to them."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from stores import permissions
from stores.cdiscount.errors import CdiscountError
from stores.failure_messages import describe_failure, describe_same_store
from stores.forms import StoreSwitchKindForm
from stores.models import Store
from stores.selectors import stores_visible_to
from stores.services.membership import give_access_to_new_store
from stores.services.octopia_authorization import (
    OctopiaCredentials,
    authorize_octopia_store,
    switch_store_kind,
)
from stores.services.same_store import (
    SellerDelegatedToAnotherTeam,
    StoreAlreadyAuthorized,
)
from stores.throttling import cdiscount_action_limit


def _credentials(data: dict) -> OctopiaCredentials:
    return OctopiaCredentials(
        kind=data["credential_kind"],
        seller_id=data["seller_id"],
        client_id=data.get("client_id", ""),
        client_secret=data.get("client_secret", ""),
    )


def refuse_same_store(view, form, duplicate: StoreAlreadyAuthorized):
    """Show the form again, saying which store already is this seller."""
    visible = stores_visible_to(view.request.user).filter(pk=duplicate.store.pk)
    is_visible = visible.exists()
    form.add_error(None, describe_same_store(duplicate, visible=is_visible))
    context = view.get_context_data(form=form)
    if is_visible:
        context["same_store"] = duplicate.store
    return view.render_to_response(context)


def refuse_seller_of_another_team(view, form):
    form.add_error(
        "seller_id",
        _(
            "Another team already connects this SellerId through delegated "
            "access, and delegated access cannot tell which team the seller "
            "belongs to. Ask that team, or connect with your own Octopia "
            "client ID and secret instead."
        ),
    )
    return view.form_invalid(form)


def _seller_id_hidden_from(user, team, seller_id: str) -> bool:
    """Whether the team has this SellerId on a store the user may not see."""
    return (
        Store.objects.filter(team=team, seller_id=seller_id)
        .exclude(pk__in=stores_visible_to(user).values("pk"))
        .exists()
    )


def authorize_octopia_from_form(view, form):
    """``form_valid`` of the authorize page when an Octopia kind was chosen."""
    data = form.cleaned_data
    user = view.request.user
    if _seller_id_hidden_from(user, data["team"], data["seller_id"]):
        form.add_error(
            "seller_id",
            _(
                "This SellerId is already authorized in this team, for a store "
                "you are not assigned to. Ask a team owner."
            ),
        )
        return view.form_invalid(form)
    try:
        result = authorize_octopia_store(
            team=data["team"],
            actor=user,
            name=data["name"],
            environment=data["environment"],
            credentials=_credentials(data),
        )
    except CdiscountError as error:
        form.add_error(None, describe_failure(error))
        return view.form_invalid(form)
    except StoreAlreadyAuthorized as duplicate:
        return refuse_same_store(view, form, duplicate)
    except SellerDelegatedToAnotherTeam:
        return refuse_seller_of_another_team(view, form)
    store = result.store
    if result.created:
        give_access_to_new_store(user=user, store=store)
        messages.success(
            view.request, _("“%(name)s” is authorized.") % {"name": store.name}
        )
    else:
        messages.success(
            view.request,
            _(
                "The SellerId %(seller_id)s was already authorized in this team: "
                "“%(name)s” now uses the new credentials and a new token."
            )
            % {"seller_id": store.seller_id, "name": store.name},
        )
    return redirect("stores:list")


@method_decorator(sensitive_post_parameters("client_secret"), name="dispatch")
class StoreSwitchKindView(LoginRequiredMixin, FormView):
    """Move a store to an Octopia kind in place, once its credentials pass."""

    template_name = "stores/store_switch_kind.html"
    form_class = StoreSwitchKindForm
    http_method_names = ["get", "post", "head"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.store = permissions.operable_store_or_denied(
            request.user, kwargs["store_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return self.store

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "store": self.store}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "store": self.store}

    @cdiscount_action_limit
    def form_valid(self, form):
        previous_kind = self.store.get_credential_kind_display()
        try:
            store = switch_store_kind(
                store=self.store,
                actor=self.request.user,
                credentials=_credentials(form.cleaned_data),
            )
        except CdiscountError as error:
            form.add_error(None, describe_failure(error))
            return self.form_invalid(form)
        except StoreAlreadyAuthorized as duplicate:
            return refuse_same_store(self, form, duplicate)
        except SellerDelegatedToAnotherTeam:
            return refuse_seller_of_another_team(self, form)
        values = {
            "name": store.name,
            "kind": store.get_credential_kind_display(),
            "previous": previous_kind,
        }
        if values["kind"] == previous_kind:
            message = _("“%(name)s” now uses the new credentials and a new token.")
        else:
            message = _(
                "“%(name)s” now connects with %(kind)s instead of %(previous)s. "
                "Its name, team, history and settings are kept."
            )
        messages.success(self.request, message % values)
        return redirect("stores:detail", store_id=store.pk)
