from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/endpoints", views.EndpointCollectionApi.as_view(), name="webhook-endpoints"),
    path(
        "webhooks/endpoints/<id:endpoint_id>",
        views.EndpointItemApi.as_view(),
        name="webhook-endpoint",
    ),
    path(
        "webhooks/endpoints/<id:endpoint_id>/rotatesecret",
        views.EndpointSecretRotateApi.as_view(),
        name="webhook-endpoint-rotatesecret",
    ),
    path(
        "webhooks/endpoints/<id:endpoint_id>/enable",
        views.EndpointEnableApi.as_view(),
        name="webhook-endpoint-enable",
    ),
    path(
        "webhooks/endpoints/<id:endpoint_id>/deliveries",
        views.DeliveryCollectionApi.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "webhooks/endpoints/<id:endpoint_id>/deliveries/<id:delivery_id>/redeliver",
        views.DeliveryRedeliverApi.as_view(),
        name="webhook-delivery-redeliver",
    ),
]
