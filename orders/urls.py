from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path(
        "customers/<uuid:customer_id>/orders/", views.customer_orders_view, name="customer_orders"
    ),
    path(
        "customers/<uuid:customer_id>/orders/<uuid:order_id>/",
        views.order_detail_view,
        name="order_detail",
    ),
    path(
        "customers/<uuid:customer_id>/add-products/", views.add_products_view, name="add_products"
    ),
    path("customers/<uuid:customer_id>/cart/", views.cart_view, name="cart"),
    path(
        "customers/<uuid:customer_id>/software/<id:purchase_id>/cancel/",
        views.purchase_cancel_view,
        name="purchase_cancel",
    ),
    path("customers/<uuid:customer_id>/cart/add/", views.cart_add_view, name="cart_add"),
    path("customers/<uuid:customer_id>/cart/place/", views.order_place_view, name="place"),
]
