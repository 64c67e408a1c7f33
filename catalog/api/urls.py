from django.urls import path

from . import views

urlpatterns = [
    path("products", views.ProductListApi.as_view(), name="catalog-product-list"),
    path("products/<str:product_id>", views.ProductGetApi.as_view(), name="catalog-product-get"),
    path("products/<str:product_id>/skus", views.SkuListApi.as_view(), name="catalog-sku-list"),
    path("products/<str:product_id>/skus/<str:sku_id>", views.SkuGetApi.as_view(),
         name="catalog-sku-get"),
    path("products/<str:product_id>/skus/<str:sku_id>/availabilities",
         views.AvailabilityListApi.as_view(), name="catalog-availability-list"),
    path("products/<str:product_id>/skus/<str:sku_id>/availabilities/<str:availability_id>",
         views.AvailabilityGetApi.as_view(), name="catalog-availability-get"),
]
