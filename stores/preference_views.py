from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from stores.preference_forms import UserPreferencesForm
from stores.services.preferences import set_time_zone, time_zone_name_of


class PreferencesView(LoginRequiredMixin, FormView):
    """A person's time zone; the language is kept by the switcher's cookie."""

    template_name = "preferences.html"
    # FormView would take PUT as POST; the dashboard only uses GET and POST.
    http_method_names = ["get", "post", "head"]
    form_class = UserPreferencesForm

    def get_initial(self):
        return {"time_zone": time_zone_name_of(self.request.user)}

    def form_valid(self, form):
        time_zone = form.cleaned_data["time_zone"]
        set_time_zone(user=self.request.user, time_zone=time_zone)
        messages.success(
            self.request,
            _("Dates and times are now shown in %(time_zone)s.")
            % {"time_zone": time_zone},
        )
        return redirect("preferences")
