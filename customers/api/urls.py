from django.urls import path

from . import views

urlpatterns = [
    path("customers", views.CustomerCollectionApi.as_view(), name="customer-list"),
    path("customers/<str:customer_id>", views.CustomerGetApi.as_view(), name="customer-get"),
]
