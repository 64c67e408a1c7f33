from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("customers/", views.customer_list_view, name="list"),
    path("customers/new/", views.customer_create_view, name="create"),
    path("customers/<uuid:customer_id>/", views.customer_detail_view, name="detail"),
    path("customers/<uuid:customer_id>/edit/", views.customer_edit_view, name="edit"),
]
