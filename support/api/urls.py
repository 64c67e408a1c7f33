from django.urls import path

from . import views

urlpatterns = [
    path(
        "customers/<str:customer_id>/servicerequests",
        views.CustomerServiceRequestListApi.as_view(),
        name="customer-servicerequest-list",
    ),
    path(
        "servicerequests", views.ServiceRequestCollectionApi.as_view(), name="servicerequest-list"
    ),
    path(
        "servicerequests/<id:request_id>",
        views.ServiceRequestItemApi.as_view(),
        name="servicerequest-get",
    ),
    # After the numeric ids: a culture such as en-US names the language of the text filed.
    path(
        "servicerequests/<culture:culture>",
        views.ServiceRequestCultureApi.as_view(),
        name="servicerequest-culture",
    ),
    path(
        "servicerequests/<id:request_id>/files/<id:attachment_id>",
        views.ServiceRequestFileApi.as_view(),
        name="servicerequest-file",
    ),
]
