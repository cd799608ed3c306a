from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from cdauth.health import healthz
from stores.preference_views import PreferencesView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="stores:list"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("stores/", include("stores.urls")),
    path("teams/", include("stores.team_urls")),
    path("preferences/", PreferencesView.as_view(), name="preferences"),
    path("admin/", admin.site.urls),
]
