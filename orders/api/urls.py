from django.urls import path

from . import views

urlpatterns = [
    path(
        "customers/<str:customer_id>/products",
        views.CustomerProductListApi.as_view(),
        name="customer-product-list",
    ),
    path(
        "customers/<str:customer_id>/orders", views.OrderCollectionApi.as_view(), name="order-list"
    ),
    path(
        "customers/<str:customer_id>/orders/<str:order_id>",
        views.OrderApi.as_view(),
        name="order-get",
    ),
]
