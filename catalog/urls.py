from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("catalogue/", views.catalogue_view, name="catalogue"),
    path(
        "catalogue/reservation-markets/",
        views.reservation_markets_view,
        name="reservation_markets",
    ),
]
