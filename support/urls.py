from django.urls import path

from . import staff_views, views

app_name = "support"
urlpatterns = [
    path("support/", views.request_list_view, name="request_list"),
    path("support/new/", views.request_create_view, name="request_create"),
    path("support/requests/<id:request_id>/", views.request_detail_view, name="request_detail"),
    path(
        "support/requests/<id:request_id>/notes/", views.request_note_view, name="request_note"
    ),
    path(
        "support/requests/<id:request_id>/files/<id:attachment_id>/",
        views.attachment_download_view,
        name="attachment_download",
    ),
    path(
        "customers/<uuid:customer_id>/service-requests/",
        views.customer_requests_view,
        name="customer_requests",
    ),
    path("support/queue/", staff_views.queue_view, name="queue"),
    path("support/queue/<id:request_id>/", staff_views.queue_detail_view, name="queue_detail"),
    path(
        "support/queue/<id:request_id>/assign/", staff_views.queue_assign_view, name="queue_assign"
    ),
    path(
        "support/queue/<id:request_id>/status/", staff_views.queue_status_view, name="queue_status"
    ),
    path(
        "support/queue/<id:request_id>/decision/",
        staff_views.queue_decide_view,
        name="queue_decide",
    ),
    path("support/queue/<id:request_id>/notes/", staff_views.queue_note_view, name="queue_note"),
    path(
        "support/queue/<id:request_id>/files/<id:attachment_id>/",
        staff_views.queue_attachment_view,
        name="queue_attachment",
    ),
]
