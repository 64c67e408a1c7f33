from django.urls import path

from . import views

urlpatterns = [
    path(
        "customers/<str:customer_id>/products",
        views.CustomerProductListApi.as_view(),
        name="customer-product-list",
    ),
    path(
        "customers/<str:customer_id>/products/<str:product_id>",
        views.CustomerProductGetApi.as_view(),
        name="customer-product-get",
    ),
    path(
        "customers/<str:customer_id>/products/<str:product_id>/skus",
        views.CustomerSkuListApi.as_view(),
        name="customer-sku-list",
    ),
    path(
        "customers/<str:customer_id>/products/<str:product_id>/skus/<str:sku_id>",
        views.CustomerSkuGetApi.as_view(),
        name="customer-sku-get",
    ),
    path(
        "customers/<str:customer_id>/products/<str:product_id>/skus/<str:sku_id>/availabilities",
        views.CustomerAvailabilityListApi.as_view(),
        name="customer-availability-list",
    ),
    path(
        "customers/<str:customer_id>/products/<str:product_id>/skus/<str:sku_id>/availabilities/"
        "<str:availability_id>",
        views.CustomerAvailabilityGetApi.as_view(),
        name="customer-availability-get",
    ),
    path(
        "customers/<str:customer_id>/carts", views.CartCollectionApi.as_view(), name="cart-list"
    ),
    path(
        "customers/<str:customer_id>/carts/<str:cart_id>", views.CartApi.as_view(), name="cart-get"
    ),
    path(
        "customers/<str:customer_id>/carts/<str:cart_id>/checkout",
        views.CartCheckoutApi.as_view(),
        name="cart-checkout",
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
