from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("settings/webhooks/", views.endpoint_list_view, name="endpoint_list"),
    path(
        "settings/webhooks/<id:endpoint_id>/", views.endpoint_detail_view, name="endpoint_detail"
    ),
    path(
        "settings/webhooks/<id:endpoint_id>/rotate/",
        views.endpoint_rotate_view,
        name="endpoint_rotate",
    ),
    path(
        "settings/webhooks/<id:endpoint_id>/enable/",
        views.endpoint_enable_view,
        name="endpoint_enable",
    ),
    path(
        "settings/webhooks/<id:endpoint_id>/delete/",
        views.endpoint_delete_view,
        name="endpoint_delete",
    ),
    path(
        "settings/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/redeliver/",
        views.delivery_redeliver_view,
        name="delivery_redeliver",
    ),
]
