from django.urls import path

from . import views

urlpatterns = [
    path(
        "servicerequests", views.ServiceRequestCollectionApi.as_view(), name="servicerequest-list"
    ),
    path(
        "servicerequests/<int:request_id>",
        views.ServiceRequestItemApi.as_view(),
        name="servicerequest-get",
    ),
    path(
        "servicerequests/<int:request_id>/files/<int:attachment_id>",
        views.ServiceRequestFileApi.as_view(),
        name="servicerequest-file",
    ),
]
