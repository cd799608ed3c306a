"""Teams a person belongs to, and the members page of the teams they own."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from stores import permissions
from stores.member_forms import TeamMemberAddForm, TeamMemberChangeForm
from stores.models import Membership, Store
from stores.services import membership as membership_service


class TeamListView(LoginRequiredMixin, TemplateView):
    template_name = "teams/team_list.html"

    def get_context_data(self, **kwargs):
        memberships = (
            Membership.objects.filter(user=self.request.user)
            .select_related("team")
            .annotate(member_count=Count("team__membership", distinct=True))
            .order_by("team__name")
        )
        return {**super().get_context_data(**kwargs), "memberships": memberships}


class TeamOwnerMixin(LoginRequiredMixin):
    """Load the team in the URL: 404 for non-members, 403 for non-owners."""

    # FormView would take PUT as POST; the dashboard only uses GET and POST.
    http_method_names = ["get", "post", "head"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.team = permissions.managed_team_or_denied(request.user, kwargs["team_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "team": self.team}

    def membership_or_404(self, membership_id: int) -> Membership:
        membership = (
            Membership.objects.filter(team=self.team, pk=membership_id)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise Http404("No such member.")
        return membership

    def members_page(self):
        return redirect("teams:members", team_id=self.team.pk)


class TeamMembersView(TeamOwnerMixin, FormView):
    """The team's members, and a form to add one."""

    template_name = "teams/team_members.html"
    form_class = TeamMemberAddForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "team": self.team}

    def get_context_data(self, **kwargs):
        members = (
            Membership.objects.filter(team=self.team)
            .select_related("user")
            .prefetch_related(
                Prefetch("stores", queryset=Store.objects.only("pk", "name"))
            )
            .order_by("user__username")
        )
        return {**super().get_context_data(**kwargs), "members": members}

    def form_valid(self, form):
        user = form.cleaned_data["user"]
        membership_service.add_member(
            team=self.team,
            user=user,
            role=form.cleaned_data["role"],
            actor=self.request.user,
        )
        messages.success(
            self.request,
            _("%(username)s is now a member of %(team)s.")
            % {"username": user.get_username(), "team": self.team.name},
        )
        return self.members_page()


class TeamMemberEditView(TeamOwnerMixin, FormView):
    """A member's role and the stores they are limited to."""

    template_name = "teams/team_member_edit.html"
    form_class = TeamMemberChangeForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.membership = None

    def get_membership(self) -> Membership:
        if self.membership is None:
            self.membership = self.membership_or_404(self.kwargs["membership_id"])
        return self.membership

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "membership": self.get_membership()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "member": self.get_membership()}

    def form_valid(self, form):
        membership = self.get_membership()
        data = form.cleaned_data
        try:
            membership_service.change_member(
                membership=membership,
                role=data["role"],
                limited_to_stores=data["limited_to_stores"],
                stores=data["stores"],
                actor=self.request.user,
            )
        except membership_service.LastOwnerError:
            form.add_error("role", _last_owner_message())
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(username)s’s access is saved.")
            % {"username": membership.user.get_username()},
        )
        return self.members_page()


class TeamMemberRemoveView(TeamOwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = self.membership_or_404(kwargs["membership_id"])
        username = membership.user.get_username()
        try:
            membership_service.remove_member(membership=membership, actor=request.user)
        except membership_service.LastOwnerError:
            messages.error(request, _last_owner_message())
        else:
            messages.success(
                request,
                _("%(username)s is no longer a member of %(team)s.")
                % {"username": username, "team": self.team.name},
            )
        return self.members_page()


def _last_owner_message() -> str:
    return _("A team needs at least one owner. Make another member an owner first.")
