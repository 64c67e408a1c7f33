from django.urls import path

from . import views

urlpatterns = [
    path(
        "customers/<str:customer_id>/entitlements",
        views.EntitlementListApi.as_view(),
        name="entitlement-list",
    ),
    path(
        "customers/<str:customer_id>/entitlements/<str:entitlement_id>/keysanddownloads",
        views.KeysAndDownloadsApi.as_view(),
        name="keys-and-downloads",
    ),
]
