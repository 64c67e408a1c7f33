from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("support/", views.request_list_view, name="request_list"),
    path("support/queue/", views.queue_view, name="queue"),
    path(
        "customers/<uuid:customer_id>/service-requests/",
        views.customer_requests_view,
        name="customer_requests",
    ),
]
