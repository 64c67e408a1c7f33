from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("settings/users/", views.user_list_view, name="user_list"),
    path("settings/users/invite/", views.user_invite_view, name="user_invite"),
    path("settings/users/<id:user_id>/", views.user_detail_view, name="user_detail"),
    path(
        "settings/users/invitations/<id:invitation_id>/resend/",
        views.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "settings/users/invitations/<id:invitation_id>/withdraw/",
        views.invitation_withdraw_view,
        name="invitation_withdraw",
    ),
    path(
        "settings/users/<id:user_id>/deactivate/",
        views.user_deactivate_view,
        name="user_deactivate",
    ),
    path("settings/api-tokens/", views.api_token_list_view, name="api_tokens"),
    path(
        "settings/api-tokens/<id:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("settings/preferences/", views.preferences_view, name="preferences"),
    path(
        "invitation/<str:uidb64>/<str:token>/",
        views.invitation_accept_view,
        name="invitation_accept",
    ),
]
