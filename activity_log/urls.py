from django.urls import path

from . import views

app_name = "activity"
urlpatterns = [
    path("settings/activity-log/", views.activity_log_view, name="log"),
    path("settings/activity-log/export.csv", views.activity_log_export_view, name="export"),
]
