from django.urls import path

from . import views

urlpatterns = [
    path("me", views.MeApi.as_view(), name="me"),
    path("users", views.UserListApi.as_view(), name="user-list"),
    path("users/<id:user_id>", views.UserGetApi.as_view(), name="user-get"),
]
