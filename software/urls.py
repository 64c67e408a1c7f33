from django.urls import path

from . import views

app_name = "software"
urlpatterns = [
    path(
        "customers/<uuid:customer_id>/software/",
        views.customer_software_view,
        name="customer_software",
    ),
]
