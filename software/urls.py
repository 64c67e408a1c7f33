from django.urls import path

from . import views

app_name = "software"
urlpatterns = [
    path(
        "customers/<uuid:customer_id>/software/",
        views.customer_software_view,
        name="customer_software",
    ),
    path(
        "customers/<uuid:customer_id>/software/<id:purchase_id>/keys-and-downloads/",
        views.keys_and_downloads_view,
        name="keys_and_downloads",
    ),
    path("downloads/<str:token>", views.download_view, name="download"),
]
