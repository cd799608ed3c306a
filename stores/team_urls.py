from django.urls import path

from stores import member_views

app_name = "teams"

urlpatterns = [
    path("", member_views.TeamListView.as_view(), name="list"),
    path(
        "<int:team_id>/members/",
        member_views.TeamMembersView.as_view(),
        name="members",
    ),
    path(
        "<int:team_id>/members/<int:membership_id>/",
        member_views.TeamMemberEditView.as_view(),
        name="member_edit",
    ),
    path(
        "<int:team_id>/members/<int:membership_id>/remove/",
        member_views.TeamMemberRemoveView.as_view(),
        name="member_remove",
    ),
]
