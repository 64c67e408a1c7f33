from django.urls import path

from . import views

urlpatterns = [
    path(
        "servicerequests", views.ServiceRequestCollectionApi.as_view(), name="servicerequest-list"
    ),
    path(
        "servicerequests/<id:request_id>",
        views.ServiceRequestItemApi.as_view(),
        name="servicerequest-get",
    ),
    path(
        "servicerequests/<id:request_id>/files/<id:attachment_id>",
        views.ServiceRequestFileApi.as_view(),
        name="servicerequest-file",
    ),
]
