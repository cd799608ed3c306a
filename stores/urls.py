from django.urls import path

from stores import action_views, octopia_views, views

app_name = "stores"

urlpatterns = [
    path("", views.StoreListView.as_view(), name="list"),
    path("add/", views.StoreAuthorizeView.as_view(), name="authorize"),
    path("help/", views.AuthorizationHelpView.as_view(), name="help"),
    path(
        "<int:store_id>/switch-kind/",
        octopia_views.StoreSwitchKindView.as_view(),
        name="switch_kind",
    ),
    path("bulk/", action_views.StoreBulkActionView.as_view(), name="bulk"),
    path("<int:store_id>/", action_views.StoreDetailView.as_view(), name="detail"),
    path(
        "<int:store_id>/reauthorize/",
        action_views.StoreReauthorizeView.as_view(),
        name="reauthorize",
    ),
    path(
        "<int:store_id>/test-connection/",
        action_views.StoreTestConnectionView.as_view(),
        name="test_connection",
    ),
    path("<int:store_id>/pause/", action_views.StorePauseView.as_view(), name="pause"),
    path(
        "<int:store_id>/resume/",
        action_views.StoreResumeView.as_view(),
        name="resume",
    ),
    path(
        "<int:store_id>/rename/",
        action_views.StoreRenameView.as_view(),
        name="rename",
    ),
    path(
        "<int:store_id>/delete/",
        action_views.StoreDeleteView.as_view(),
        name="delete",
    ),
]
