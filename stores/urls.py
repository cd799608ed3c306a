from django.urls import path

from stores import views

app_name = "stores"

urlpatterns = [
    path("", views.StoreListView.as_view(), name="list"),
    path("add/", views.StoreAuthorizeView.as_view(), name="authorize"),
    path("help/", views.AuthorizationHelpView.as_view(), name="help"),
]
