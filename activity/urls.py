from django.urls import path

from . import views

app_name = "activity"
urlpatterns = [path("settings/activity-log/", views.activity_log_view, name="log")]
